// Every key a component config may carry, and what the engine does with it: 'honoured' (read, and
// matched to diffusers / transformers in the oracle tier), 'inert' (read by the reference but with no
// effect on what the engine computes, with the reason), or 'only' a given value (any other value is
// refused by name). A key in no table is refused too: it may be a setting of a newer diffusers that
// changes the output, and silent wrong output is worse than a clear refusal.
import { EngineError } from '../../../core/errors';
import type { ConfigOrigin } from './parse';

export type KeyRule =
  | 'honoured'
  | { readonly inert: string }
  | { readonly only: unknown; readonly why: string };

export type KeyRules = Readonly<Record<string, KeyRule>>;

/** Metadata diffusers writes into every config (never read as a setting). */
export const DIFFUSERS_METADATA: KeyRules = {
  _class_name: 'honoured',
  _diffusers_version: { inert: 'metadata: the diffusers version that wrote the file' },
  _name_or_path: { inert: 'metadata: where the model was loaded from' },
  _use_default_values: { inert: 'metadata: the keys diffusers filled with defaults' },
};

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A uniform per-block list ([x, x, x]) counts as its single value x. */
function uniform(value: unknown): unknown {
  if (Array.isArray(value) && value.length > 0 && value.every((v) => sameValue(v, value[0]))) return value[0];
  return value;
}

/**
 * Refuses keys that are in no rule table, and 'only' keys holding another value. Runs on the raw JSON
 * before anything else reads it, so an unknown setting never reaches a builder.
 */
export function checkKeys(json: Readonly<Record<string, unknown>>, rules: KeyRules, what: string, origin: ConfigOrigin): void {
  for (const [key, value] of Object.entries(json)) {
    const rule = rules[key];
    if (rule === undefined) {
      throw new EngineError(
        'unsupported-model',
        `${origin.file}: key '${key}' is not a ${what} setting this engine knows, so it cannot honour it. If your diffusers/transformers warns that it ignores '${key}', delete the key from the file; otherwise the model needs a newer APTP Studio.`,
        { file: origin.file, component: origin.component, key },
      );
    }
    if (typeof rule === 'object' && 'only' in rule && value !== null && value !== undefined && !sameValue(uniform(value), rule.only)) {
      throw new EngineError(
        'unsupported-model',
        `${origin.file}: '${key}' is ${JSON.stringify(value)}, but the engine only runs ${JSON.stringify(rule.only)} (${rule.why}); supported: SD 1.x and SD 2.x models.`,
        { file: origin.file, component: origin.component, key, value, supported: rule.only },
      );
    }
  }
}

/** A value of the same JSON type as `v` but different from it (tests use it to probe 'only' rules). */
export function differentValue(v: unknown): unknown {
  if (v === null) return 1;
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'number') return v + 1;
  if (typeof v === 'string') return `${v}_other`;
  if (Array.isArray(v)) return [...v, 1];
  return { other: true };
}
