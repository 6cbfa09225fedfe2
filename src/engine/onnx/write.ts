// Writes a graph to disk as an ONNX model. When initializers together pass a threshold (2 GB by
// default; tests force it small) every initializer of at least `externalMinBytes` goes to one
// external data file beside the model, streamed one tensor at a time (file and lazy sources are
// never gathered into one buffer). Both files are written to temporary names, then renamed.
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { tensorBytes } from '../core/dtype';
import { EngineError } from '../core/errors';
import type { Graph, Initializer, TensorSource } from '../ir/graph';
import { initializerByteLength, isTensorSource } from '../ir/graph';
import { PROTOBUF_LIMIT, encodeModel } from './model';
import type { EmitOptions, InitializerPlacement } from './model';

export interface WriteOptions extends EmitOptions {
  /** Total initializer bytes above which initializers go to external data (default 2e9). */
  readonly externalThreshold?: number;
  /** With external data, initializers smaller than this stay inline (default 1024). */
  readonly externalMinBytes?: number;
  /** External data file name, beside the model (default `<model file>.data`). */
  readonly dataFileName?: string;
}

export interface WrittenModel {
  readonly modelPath: string;
  /** Present when external data was written. */
  readonly dataPath?: string;
  readonly modelBytes: number;
  readonly externalBytes: number;
}

const ALIGN = 64;
const CHUNK = 64 * 1024 * 1024;

type Plan = Map<Initializer, { offset: number; length: number }>;

function planExternal(graph: Graph, options: WriteOptions): Plan {
  const plan: Plan = new Map();
  const total = graph.initializers.reduce((n, i) => n + initializerByteLength(i), 0);
  if (total <= (options.externalThreshold ?? 2e9)) return plan;
  let offset = 0;
  for (const init of graph.initializers) {
    const length = initializerByteLength(init);
    if (length < (options.externalMinBytes ?? 1024)) continue;
    offset = Math.ceil(offset / ALIGN) * ALIGN;
    plan.set(init, { offset, length });
    offset += length;
  }
  return plan;
}

/** Reads a source's bytes (used for inline placement and for streaming lazy sources). */
async function readSource(source: TensorSource, name: string): Promise<Uint8Array> {
  const bytes = source.kind === 'lazy' ? await source.load() : await readFileRange(source.path, source.offset, source.byteLength);
  if (bytes.byteLength !== source.byteLength) {
    throw new EngineError('corrupt-file', `Initializer '${name}': its source gave ${bytes.byteLength} bytes, not the ${source.byteLength} declared; check the weight file.`, { initializer: name, expected: source.byteLength, got: bytes.byteLength });
  }
  return bytes;
}

async function readFileRange(path: string, offset: number, length: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const out = new Uint8Array(length);
    const { bytesRead } = await fh.read(out, 0, length, offset);
    return out.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function writeAll(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.byteLength - done, position + done);
    done += bytesWritten;
  }
}

/** Copies one initializer's bytes into the data file at `position`, a chunk at a time for files. */
async function copyInitializer(fh: FileHandle, init: Initializer, position: number): Promise<void> {
  const data = init.data;
  if (!isTensorSource(data)) return writeAll(fh, tensorBytes(data), position);
  if (data.kind === 'lazy') return writeAll(fh, await readSource(data, init.value.name), position);
  for (let done = 0; done < data.byteLength; done += CHUNK) {
    const length = Math.min(CHUNK, data.byteLength - done);
    const part = await readFileRange(data.path, data.offset + done, length);
    if (part.byteLength !== length) {
      throw new EngineError('corrupt-file', `Initializer '${init.value.name}': '${data.path}' ended early (wanted ${data.byteLength} bytes from offset ${data.offset}).`, { initializer: init.value.name, path: data.path });
    }
    await writeAll(fh, part, position + done);
  }
}

async function writeParts(path: string, parts: readonly Uint8Array[]): Promise<void> {
  const fh = await open(path, 'w');
  try {
    let position = 0;
    for (const p of parts) {
      await writeAll(fh, p, position);
      position += p.byteLength;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function writeData(path: string, plan: Plan): Promise<number> {
  const fh = await open(path, 'w');
  let end = 0;
  try {
    for (const [init, { offset, length }] of plan) {
      await copyInitializer(fh, init, offset);
      end = offset + length;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  return end;
}

/** Writes `graph` to `modelPath` (and its external data beside it when needed), atomically per file. */
export async function writeModel(graph: Graph, modelPath: string, options: WriteOptions = {}): Promise<WrittenModel> {
  const plan = planExternal(graph, options);
  const location = options.dataFileName ?? `${basename(modelPath)}.data`;
  const inline = new Map<Initializer, Uint8Array>();
  for (const init of graph.initializers) {
    if (!plan.has(init) && isTensorSource(init.data)) inline.set(init, await readSource(init.data, init.value.name));
  }
  const place = (init: Initializer): InitializerPlacement => {
    const ext = plan.get(init);
    if (ext) return { kind: 'external', location, offset: ext.offset, length: ext.length };
    const bytes = inline.get(init) ?? (isTensorSource(init.data) ? new Uint8Array() : tensorBytes(init.data));
    return { kind: 'inline', bytes };
  };
  const model = encodeModel(graph, options, place);
  if (model.length >= PROTOBUF_LIMIT) {
    throw new EngineError('invalid-argument', `Model '${graph.name}' would be ${model.length} bytes inline, over protobuf's 2 GiB limit; lower externalThreshold.`, { graph: graph.name, bytes: model.length });
  }
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const dataPath = join(dirname(modelPath), location);
  const temps: string[] = [];
  try {
    let externalBytes = 0;
    if (plan.size > 0) {
      temps.push(`${dataPath}.${tag}`);
      externalBytes = await writeData(`${dataPath}.${tag}`, plan);
    }
    temps.push(`${modelPath}.${tag}`);
    await writeParts(`${modelPath}.${tag}`, model.parts());
    if (plan.size > 0) await rename(`${dataPath}.${tag}`, dataPath);
    await rename(`${modelPath}.${tag}`, modelPath);
    return { modelPath, ...(plan.size > 0 ? { dataPath } : {}), modelBytes: model.length, externalBytes };
  } catch (cause) {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    if (cause instanceof EngineError) throw cause;
    throw new EngineError('io-failure', `Could not write model '${modelPath}': ${String(cause)}. Check the folder exists, is writable and has space.`, { path: modelPath }, { cause });
  }
}
