// Training checkpoints: one safetensors file holding every parameter ('param/<name>'), optimiser
// state tensor ('opt/<param>/<state>') and, once it has started, the parameters' moving average
// ('ema/<name>'), with the step and the caller's resume state (RNG, data
// cursor, anything JSON) in its metadata. writeSafetensors writes a temporary name and renames it,
// so a checkpoint on disk is always whole; resuming from it continues the run exactly.
import { existsSync } from 'node:fs';
import { EngineError } from '../core/errors';
import { hostTensor, type HostTensor } from '../runtime';
import { openSafetensors, readTensor, writeSafetensors, type TensorToWrite } from '../weights';
import type { TrainerSnapshot } from './trainer';

export interface Checkpoint<S> {
  readonly snapshot: TrainerSnapshot;
  /** The caller's own resume state (RNG state, data order cursor, stage...). */
  readonly state: S;
}

const PARAM = 'param/';
const EMA = 'ema/';

function f32(name: string, t: HostTensor): TensorToWrite {
  if (!(t.data instanceof Float32Array)) throw new EngineError('dtype-mismatch', `Checkpoint tensor '${name}' is ${t.dtype}; checkpoints hold float32 training state.`, { tensor: name });
  return { name, dtype: 'F32', shape: t.dims, data: t.data };
}

export async function writeCheckpoint<S>(path: string, checkpoint: Checkpoint<S>): Promise<void> {
  const { snapshot } = checkpoint;
  const tensors = [
    ...Object.entries(snapshot.params).map(([n, t]) => f32(`${PARAM}${n}`, t)),
    ...Object.entries(snapshot.optimizerState).map(([n, t]) => f32(n, t)),
    ...Object.entries(snapshot.ema ?? {}).map(([n, t]) => f32(`${EMA}${n}`, t)),
  ];
  await writeSafetensors(path, tensors, { step: String(snapshot.step), state: JSON.stringify(checkpoint.state) });
}

export async function readCheckpoint<S>(path: string): Promise<Checkpoint<S>> {
  if (!existsSync(path)) throw new EngineError('not-found', `No checkpoint at ${path}; start the run from the beginning or choose its checkpoint file.`, { file: path });
  const file = await openSafetensors(path);
  const meta = file.metadata;
  const step = Number(meta['step']);
  if (!Number.isInteger(step) || meta['state'] === undefined) throw new EngineError('corrupt-file', `${path} is not a training checkpoint (no step/state metadata); choose a checkpoint the trainer wrote.`, { file: path });
  const params: Record<string, HostTensor> = {};
  const optimizerState: Record<string, HostTensor> = {};
  const ema: Record<string, HostTensor> = {};
  for (const name of file.tensors.keys()) {
    const t = await readTensor(file, name, 'float32');
    const host = hostTensor('float32', t.shape, t.data as Float32Array);
    if (name.startsWith(PARAM)) params[name.slice(PARAM.length)] = host;
    else if (name.startsWith(EMA)) ema[name.slice(EMA.length)] = host;
    else optimizerState[name] = host;
  }
  return { snapshot: { step, params, optimizerState, ...(Object.keys(ema).length > 0 ? { ema } : {}) }, state: JSON.parse(meta['state']) as S };
}
