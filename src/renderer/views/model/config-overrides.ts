// The Model view's "config overrides" box for single-file checkpoints: JSON text checked against the
// shared contract ({unet, textEncoder, vae, scheduler}, each an object of diffusers config keys) with
// a message that says what is wrong and what the box expects. Empty text means no overrides.
import { configOverridesSchema, type ConfigOverrides } from '../../../shared/studio-model';

export type ConfigOverridesCheck = { ok: true; value: ConfigOverrides | undefined } | { ok: false; message: string };

const EXPECTED = 'Config overrides must be a JSON object with any of the keys unet, textEncoder, vae, scheduler, each an object of diffusers config keys, e.g. {"unet": {"attention_head_dim": 8}}';

export function checkConfigOverrides(text: string): ConfigOverridesCheck {
  if (text.trim() === '') return { ok: true, value: undefined };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `${EXPECTED}; this is not JSON (${(error as Error).message}).` };
  }
  const parsed = configOverridesSchema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` (at ${issue.path.join('.')})` : '';
  const what = issue?.code === 'unrecognized_keys' ? `unknown key ${issue.keys.map((k) => `'${k}'`).join(', ')}` : (issue?.message ?? 'invalid');
  return { ok: false, message: `${EXPECTED}. Problem${where}: ${what}.` };
}
