// No silent config keys: every key diffusers / transformers read for the UNet, VAE, CLIP text encoder
// and schedulers (reference-keys.json, checked against the installed libraries by the oracle tier)
// has a rule; a key in no rule table, and a refused value, fail by name; 'honoured' keys are keys the
// schemas read; absurd sizes are refused at parse time with the file and key named.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../../src/engine/core/errors';
import {
  CLIP_KEY_RULES, type KeyRules, SCHEDULER_KEY_RULES, UNET_KEY_RULES, VAE_KEY_RULES, clipTextConfigSchema, differentValue,
  parseClipTextConfig, parseSchedulerConfig, parseUNetConfig, parseVaeConfig, unetConfigSchema, vaeConfigSchema,
} from '../../../../../src/engine/models/sd/config';

const reference = JSON.parse(readFileSync(new URL('./reference-keys.json', import.meta.url), 'utf8')) as Record<'unet' | 'vae' | 'text_encoder' | 'scheduler', string[]>;
const origin = (component: string) => ({ file: `${component}/config.json`, component });

const COMPONENTS = [
  { name: 'unet', rules: UNET_KEY_RULES, schemaKeys: Object.keys(unetConfigSchema.shape), parse: (j: object) => parseUNetConfig(j, origin('unet')) },
  { name: 'vae', rules: VAE_KEY_RULES, schemaKeys: Object.keys(vaeConfigSchema.shape), parse: (j: object) => parseVaeConfig(j, origin('vae')) },
  { name: 'text_encoder', rules: CLIP_KEY_RULES, schemaKeys: Object.keys(clipTextConfigSchema.shape), parse: (j: object) => parseClipTextConfig(j, origin('text_encoder')) },
  { name: 'scheduler', rules: SCHEDULER_KEY_RULES, schemaKeys: null, parse: (j: object) => parseSchedulerConfig(j, origin('scheduler')) },
] as const;

function refusal(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected the config to be refused');
}

function onlyRules(rules: KeyRules): [string, unknown][] {
  return Object.entries(rules).flatMap(([k, r]) => (typeof r === 'object' && 'only' in r ? [[k, r.only] as [string, unknown]] : []));
}

describe('config keys', () => {
  for (const c of COMPONENTS) {
    it(`${c.name}: every key the reference reads has a rule`, () => {
      const missing = reference[c.name].filter((k) => c.rules[k] === undefined);
      expect(missing, `keys of the reference ${c.name} config the engine neither honours nor refuses`).toEqual([]);
    });

    it(`${c.name}: a key in no rule table is refused by name`, () => {
      const e = refusal(() => c.parse({ aptp_unknown_setting: 3 }));
      expect([e.code, e.details['key']]).toEqual(['unsupported-model', 'aptp_unknown_setting']);
      expect(e.message).toContain(`${c.name}/config.json`);
      expect(e.message).toContain('delete the key');
    });

    it(`${c.name}: each key allowed one value only is refused, by name, with any other`, () => {
      for (const [key, only] of onlyRules(c.rules)) {
        const e = refusal(() => c.parse({ [key]: differentValue(only) }));
        expect(e.code, key).toMatch(/unsupported-model|corrupt-file/);
        expect(JSON.stringify(e.details).includes(key) || e.message.includes(key) || typeof e.details['reason'] === 'string', key).toBe(true);
      }
    });
  }

  for (const c of COMPONENTS.filter((x) => x.schemaKeys !== null)) {
    it(`${c.name}: 'honoured' keys are keys the schema reads, and every schema key has a rule`, () => {
      const honoured = Object.entries(c.rules).filter(([, r]) => r === 'honoured').map(([k]) => k);
      expect(honoured.filter((k) => !c.schemaKeys?.includes(k))).toEqual([]);
      expect(c.schemaKeys?.filter((k) => c.rules[k] === undefined)).toEqual([]);
    });
  }
});

describe('absurd sizes are refused before anything is built', () => {
  const cases: [string, () => unknown, string][] = [
    ['layers_per_block', () => parseUNetConfig({ layers_per_block: 1e9 }, origin('unet')), 'unet/config.json'],
    ['sample_size', () => parseUNetConfig({ sample_size: 1e6 }, origin('unet')), 'unet/config.json'],
    ['block_out_channels.0', () => parseUNetConfig({ block_out_channels: [1e9, 640, 1280, 1280] }, origin('unet')), 'unet/config.json'],
    ['num_train_timesteps', () => parseSchedulerConfig({ num_train_timesteps: 1e9 }, origin('scheduler')), 'scheduler/config.json'],
    ['max_position_embeddings', () => parseClipTextConfig({ max_position_embeddings: 1e8 }, origin('text_encoder')), 'text_encoder/config.json'],
    ['vocab_size', () => parseClipTextConfig({ vocab_size: 1e10 }, origin('text_encoder')), 'text_encoder/config.json'],
    ['num_hidden_layers', () => parseClipTextConfig({ num_hidden_layers: 1e6 }, origin('text_encoder')), 'text_encoder/config.json'],
    ['layers_per_block', () => parseVaeConfig({ layers_per_block: 1e9 }, origin('vae')), 'vae/config.json'],
  ];
  for (const [key, parse, file] of cases) {
    it(`${key} far above any SD model: corrupt-file naming ${file}`, () => {
      const e = refusal(parse);
      expect([e.code, e.details['key']]).toEqual(['corrupt-file', key]);
      expect(e.message).toContain(file);
      expect(e.message).toContain('at most');
    });
  }
});
