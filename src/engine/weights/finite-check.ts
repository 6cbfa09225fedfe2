// Finds float weights that hold NaN or infinity before anything is generated with them (a model
// whose weights are NaN renders a black image and says nothing). Reads a sample of each tensor, its
// first and last few thousand values, so the check costs a few reads per tensor, not the model's
// size: it catches weights that are NaN throughout (a failed conversion, a broken fine-tune save),
// not a single bad value in the middle.
import { open, type FileHandle } from 'node:fs/promises';
import { EngineError } from '../core/errors';
import { convertFloatBytes, type StoredFloat } from './convert';
import { SAFETENSORS_ITEM_BYTES, type SafetensorsEntry } from './safetensors';

/** Values read from each end of a tensor. */
export const FINITE_SAMPLE = 4096;

const STORED: Partial<Record<SafetensorsEntry['dtype'], StoredFloat>> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

export interface WeightToCheck {
  readonly path: string;
  /** The name to report (the model's key), and the stored entry's byte range. */
  readonly name: string;
  readonly entry: SafetensorsEntry;
}

export interface NonFiniteWeight {
  readonly path: string;
  readonly name: string;
  readonly sampled: number;
  readonly nonFinite: number;
}

async function readRange(fh: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(out, done, length - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return out.subarray(0, done);
}

function countNonFinite(bytes: Uint8Array, dtype: SafetensorsEntry['dtype']): number {
  const stored = STORED[dtype];
  let values: ArrayLike<number>;
  if (stored) {
    const f32 = convertFloatBytes(bytes, stored, 'float32');
    values = new Float32Array(f32.buffer, f32.byteOffset, f32.byteLength / 4);
  } else {
    const b = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
    values = new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
  }
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) n++;
  return n;
}

/** The sampled non-finite count of one float tensor (head and tail); undefined for non-float dtypes. */
async function sampleTensor(fh: FileHandle, e: SafetensorsEntry): Promise<{ sampled: number; nonFinite: number } | undefined> {
  if (!STORED[e.dtype] && e.dtype !== 'F64') return undefined;
  const item = SAFETENSORS_ITEM_BYTES[e.dtype];
  const count = e.byteLength / item;
  const head = Math.min(count, FINITE_SAMPLE);
  const tail = Math.min(count - head, FINITE_SAMPLE);
  const ranges: [number, number][] = [[e.offset, head * item], ...(tail > 0 ? [[e.offset + e.byteLength - tail * item, tail * item] as [number, number]] : [])];
  let nonFinite = 0;
  for (const [offset, length] of ranges) nonFinite += countNonFinite(await readRange(fh, offset, length), e.dtype);
  return { sampled: head + tail, nonFinite };
}

/** Every weight whose sample holds NaN or infinity. */
export async function findNonFiniteWeights(weights: Iterable<WeightToCheck>): Promise<NonFiniteWeight[]> {
  const byFile = new Map<string, WeightToCheck[]>();
  for (const w of weights) byFile.set(w.path, [...(byFile.get(w.path) ?? []), w]);
  const found: NonFiniteWeight[] = [];
  for (const [path, list] of byFile) {
    const fh = await open(path, 'r');
    try {
      for (const w of list) {
        const s = await sampleTensor(fh, w.entry);
        if (s && s.nonFinite > 0) found.push({ path, name: w.name, ...s });
      }
    } finally {
      await fh.close();
    }
  }
  return found;
}

/** Throws naming the tensors when any sampled weight is NaN or infinite. */
export async function refuseNonFiniteWeights(component: string, weights: Iterable<WeightToCheck>): Promise<void> {
  const bad = await findNonFiniteWeights(weights);
  if (bad.length === 0) return;
  const first = bad[0]!;
  const more = bad.length > 1 ? ` and ${bad.length - 1} more tensor(s)` : '';
  throw new EngineError(
    'corrupt-file',
    `${first.path}: the ${component} weight '${first.name}'${more} hold NaN or infinite values (${first.nonFinite} of ${first.sampled} sampled); generating with them gives a black image. Re-export or re-download the weights.`,
    { file: first.path, component, tensor: first.name, tensors: bad.slice(0, 20).map((b) => b.name) },
  );
}
