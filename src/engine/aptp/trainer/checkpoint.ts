// Pruning-run checkpoints: one safetensors file per checkpoint holding the router parameters and
// the optimiser state (float32), with the counters in its metadata (step, applied updates, skipped
// batches). Randomness needs no saved state (streams.ts derives every draw from seed and step), so
// these numbers and tensors are all a resumed run needs to repeat an uninterrupted one exactly.
// Written to a temporary name and renamed (writeSafetensors), so a crash never leaves a half file.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../core/errors';
import { hostTensor, type HostTensor } from '../../runtime';
import { openSafetensors, readTensor, writeSafetensors } from '../../weights';
import type { RouterState } from './prune-step';

export const CHECKPOINT_FORMAT = 'aptp-prune-checkpoint/1';

export interface PruneCheckpoint {
  /** Steps finished (the next step to run). */
  readonly step: number;
  readonly skipped: number;
  readonly state: RouterState;
}

const PARAM = 'param:';
const OPT = 'opt:';

export function checkpointPath(dir: string, step: number): string {
  return join(dir, `step-${String(step).padStart(8, '0')}.safetensors`);
}

export async function saveCheckpoint(dir: string, c: PruneCheckpoint): Promise<string> {
  const path = checkpointPath(dir, c.step);
  const tensors = [
    ...Object.entries(c.state.params).map(([name, t]) => ({ name: PARAM + name, dtype: 'F32' as const, shape: t.dims, data: f32(t, name) })),
    ...Object.entries(c.state.optimizer).map(([name, t]) => ({ name: OPT + name, dtype: 'F32' as const, shape: t.dims, data: f32(t, name) })),
  ];
  await writeSafetensors(path, tensors, { format: CHECKPOINT_FORMAT, step: String(c.step), skipped: String(c.skipped), updates: String(c.state.updates) });
  return path;
}

export async function loadCheckpoint(path: string): Promise<PruneCheckpoint> {
  const file = await openSafetensors(path);
  const meta = file.metadata;
  if (meta['format'] !== CHECKPOINT_FORMAT) {
    throw new EngineError('corrupt-file', `${path} is not a pruning checkpoint (format '${meta['format'] ?? 'none'}'); resume from a run's checkpoints folder.`, { file: path });
  }
  const params: Record<string, HostTensor> = {};
  const optimizer: Record<string, HostTensor> = {};
  for (const name of file.tensors.keys()) {
    const t = await readTensor(file, name, 'float32');
    const host = hostTensor('float32', t.shape, Float32Array.from(t.data as Float32Array));
    if (name.startsWith(PARAM)) params[name.slice(PARAM.length)] = host;
    else if (name.startsWith(OPT)) optimizer[name.slice(OPT.length)] = host;
  }
  return { step: count(meta, 'step', path), skipped: count(meta, 'skipped', path), state: { params, optimizer, updates: count(meta, 'updates', path) } };
}

/** The newest checkpoint in `dir`, or undefined when there is none. */
export async function latestCheckpoint(dir: string): Promise<string | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const last = names.filter((n) => /^step-\d{8}\.safetensors$/.test(n)).sort().at(-1);
  return last ? join(dir, last) : undefined;
}

function count(meta: Readonly<Record<string, string>>, key: string, path: string): number {
  const v = Number(meta[key]);
  if (!Number.isInteger(v) || v < 0) throw new EngineError('corrupt-file', `${path}: checkpoint counter '${key}' is missing or invalid.`, { file: path, key });
  return v;
}

function f32(t: HostTensor, name: string): Float32Array {
  if (!(t.data instanceof Float32Array)) throw new EngineError('invalid-argument', `Checkpoint tensor '${name}' must be float32.`, { name });
  return t.data;
}
