// Finds a component's safetensors weights in a diffusers subfolder the way diffusers / transformers
// name them: `diffusion_pytorch_model.safetensors` or `model.safetensors`, the variant form
// `<name>.fp16.safetensors`, and sharded checkpoints `<name>.safetensors.index[.fp16].json` whose
// weight_map names the shard of each tensor. Pickle-only folders get an actionable refusal.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../../../core/errors';
import { openSafetensors } from '../../../weights';
import { readJsonFile } from '../config';
import { type WeightRef, wholeRef } from './weight-set';

/** 'auto': full-precision files when present, else the fp16 variant; a string: that variant only. */
export type VariantChoice = 'auto' | 'none' | string;

const BASES = ['diffusion_pytorch_model', 'model'] as const;

/** `name.safetensors` -> `name.<variant>.safetensors` (diffusers' _add_variant). */
function withVariant(file: string, variant: string | null): string {
  if (variant === null) return file;
  const parts = file.split('.');
  return [...parts.slice(0, -1), variant, ...parts.slice(-1)].join('.');
}

interface Found {
  readonly kind: 'single' | 'sharded';
  readonly path: string;
  readonly variant: string | null;
}

function candidates(dir: string, variant: string | null): Found[] {
  return BASES.flatMap((base) => [
    { kind: 'single' as const, path: join(dir, withVariant(`${base}.safetensors`, variant)), variant },
    { kind: 'sharded' as const, path: join(dir, withVariant(`${base}.safetensors.index.json`, variant)), variant },
  ]).filter((c) => existsSync(c.path));
}

function variantsIn(dir: string): string[] {
  const names = existsSync(dir) ? readdirSync(dir) : [];
  const found = new Set<string>();
  for (const n of names) {
    const m = /^(?:diffusion_pytorch_model|model)\.([A-Za-z0-9_-]+)\.safetensors$/.exec(n) ?? /\.safetensors\.index\.([A-Za-z0-9_-]+)\.json$/.exec(n);
    if (m?.[1]) found.add(m[1]);
  }
  return [...found];
}

/** Locates the weights of one component folder, honouring the variant choice. */
export function findWeights(dir: string, component: string, variant: VariantChoice): Found {
  const plain = variant === 'auto' || variant === 'none' ? candidates(dir, null) : [];
  const wanted = variant === 'auto' ? ['fp16'] : variant === 'none' ? [] : [variant];
  const found = [...plain, ...wanted.flatMap((v) => candidates(dir, v))];
  const first = found[0];
  if (first) return first;
  const names = existsSync(dir) ? readdirSync(dir) : [];
  if (names.some((n) => n.endsWith('.bin') || n.endsWith('.ckpt') || n.endsWith('.pt'))) {
    throw new EngineError('unsupported-model', `${dir} has only pickle weights (.bin/.ckpt); they can run code when loaded, so the studio reads safetensors only. Convert them (diffusers: pipe.save_pretrained(dir, safe_serialization=True)).`, { dir, component });
  }
  const others = variantsIn(dir);
  const hint = others.length > 0 ? ` It has the variant(s) ${others.join(', ')}: choose one.` : ' The download may be incomplete.';
  const asked = variant === 'auto' || variant === 'none' ? '' : ` for variant '${variant}'`;
  throw new EngineError('not-found', `${dir} has no ${component} safetensors weights${asked} (looked for diffusion_pytorch_model[.variant].safetensors, model[.variant].safetensors and sharded .index.json).${hint}`, { dir, component, variant, available: others });
}

/** Opens every file of a found checkpoint (reading headers only) and lists its tensors as refs. */
export async function openWeightRefs(found: Found, component: string): Promise<WeightRef[]> {
  if (found.kind === 'single') {
    const file = await openSafetensors(found.path);
    return [...file.tensors.keys()].map((k) => wholeRef(file, k));
  }
  const index = readJsonFile(found.path, component) as { weight_map?: unknown };
  const map = index.weight_map;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new EngineError('corrupt-file', `${found.path} has no weight_map object; the shard index is damaged, re-download it.`, { file: found.path, component });
  }
  const dir = join(found.path, '..');
  const byShard = new Map<string, string[]>();
  for (const [tensor, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\')) throw new EngineError('corrupt-file', `${found.path}: tensor '${tensor}' maps to ${JSON.stringify(shard)}, not a shard file name in this folder.`, { file: found.path, tensor });
    byShard.set(shard, [...(byShard.get(shard) ?? []), tensor]);
  }
  const refs: WeightRef[] = [];
  for (const [shard, tensors] of byShard) {
    const shardPath = join(dir, shard);
    if (!existsSync(shardPath)) throw new EngineError('not-found', `${shardPath} is missing but ${found.path} places ${tensors.length} tensor(s) there (e.g. '${tensors[0] ?? ''}'); the download is incomplete, fetch the missing shard.`, { file: shardPath, index: found.path, tensor: tensors[0] });
    const file = await openSafetensors(shardPath);
    for (const t of tensors) {
      if (!file.tensors.has(t)) throw new EngineError('corrupt-file', `${file.path} lacks tensor '${t}' that ${found.path} places there; the shards and index do not match, re-download them.`, { file: file.path, tensor: t });
      refs.push(wholeRef(file, t));
    }
  }
  return refs;
}
