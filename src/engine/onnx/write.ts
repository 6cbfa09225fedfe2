// Writes a graph to disk as an ONNX model. When initializers together pass a threshold (2 GB by
// default; tests force it small) every initializer of at least `externalMinBytes` goes to one
// external data file beside the model, streamed one tensor at a time (file and lazy sources are
// never gathered into one buffer). With `linkSourceFiles`, an initializer whose bytes already lie in
// a file (a safetensors tensor) is not copied at all: the file is hard-linked beside the model and
// the external data points into it (onnxruntime refuses paths outside the model's folder, so a
// symbolic link or an absolute path would not load); where a hard link is impossible (another
// file system) the bytes are copied as before. Every file is written to a temporary name, then renamed.
import { randomBytes } from 'node:crypto';
import { link, open, rename, rm, stat } from 'node:fs/promises';
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
  /** Reference external file-source initializers in place through hard links instead of copying them. */
  readonly linkSourceFiles?: boolean;
}

export interface WrittenModel {
  readonly modelPath: string;
  /** Present when external data was written. */
  readonly dataPath?: string;
  readonly modelBytes: number;
  /** Bytes copied into the external data file. */
  readonly externalBytes: number;
  /** Bytes referenced in linked source files (linkSourceFiles), and the links beside the model. */
  readonly linkedBytes: number;
  readonly linkPaths: readonly string[];
}

const ALIGN = 64;
const CHUNK = 64 * 1024 * 1024;

type Plan = Map<Initializer, { offset: number; length: number }>;

/** The external initializers that are copied (not linked), laid out again without gaps for the linked ones. */
function planCopies(external: Plan, linkedName: (init: Initializer) => string | undefined): Plan {
  const plan: Plan = new Map();
  let offset = 0;
  for (const [init, { length }] of external) {
    if (linkedName(init) !== undefined) continue;
    offset = Math.ceil(offset / ALIGN) * ALIGN;
    plan.set(init, { offset, length });
    offset += length;
  }
  return plan;
}

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

/** Source files of external initializers, each hard-linked beside the model: source path -> link name. */
async function linkSources(plan: Plan, modelPath: string, tag: string, temps: string[]): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  for (const init of plan.keys()) {
    const data = init.data;
    if (!isTensorSource(data) || data.kind !== 'file' || links.has(data.path)) continue;
    const size = await stat(data.path).then((st) => st.size, () => -1);
    const needed = Math.max(...[...plan.keys()].flatMap((i) => (isTensorSource(i.data) && i.data.kind === 'file' && i.data.path === data.path ? [i.data.offset + i.data.byteLength] : [])));
    if (size < needed) {
      throw new EngineError('corrupt-file', `Initializer '${init.value.name}': '${data.path}' holds ${Math.max(size, 0)} bytes, fewer than the ${needed} its tensors need; check the weight file.`, { initializer: init.value.name, path: data.path });
    }
    const name = `${basename(modelPath)}.w${links.size}`;
    const temp = join(dirname(modelPath), `${name}.${tag}`);
    try {
      await link(data.path, temp);
    } catch {
      continue; // another file system, or links not allowed: these bytes are copied instead
    }
    temps.push(temp);
    links.set(data.path, name);
  }
  return links;
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

/** Small parts are gathered up to this size and written together (one write per part cost ~9 s on the SD 2.1 step's 4 MB graph). */
const GATHER = 8 * 1024 * 1024;

/** Writes the parts in order: consecutive small parts are copied into one buffer per GATHER bytes, large ones go as they are. */
async function writeParts(path: string, parts: readonly Uint8Array[]): Promise<void> {
  const fh = await open(path, 'w');
  try {
    let position = 0;
    const gathered = new Uint8Array(Math.min(GATHER, parts.reduce((n, p) => n + p.byteLength, 0)));
    let used = 0;
    const drain = async (): Promise<void> => {
      if (used === 0) return;
      await writeAll(fh, gathered.subarray(0, used), position);
      position += used;
      used = 0;
    };
    for (const p of parts) {
      if (used + p.byteLength > gathered.length) await drain();
      if (p.byteLength >= gathered.length) {
        await writeAll(fh, p, position);
        position += p.byteLength;
        continue;
      }
      gathered.set(p, used);
      used += p.byteLength;
    }
    await drain();
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
  const external = planExternal(graph, options);
  const location = options.dataFileName ?? `${basename(modelPath)}.data`;
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const dataPath = join(dirname(modelPath), location);
  const temps: string[] = [];
  try {
    const links = options.linkSourceFiles ? await linkSources(external, modelPath, tag, temps) : new Map<string, string>();
    const linkedName = (init: Initializer): string | undefined => (isTensorSource(init.data) && init.data.kind === 'file' ? links.get(init.data.path) : undefined);
    const plan = planCopies(external, linkedName);
    const inline = new Map<Initializer, Uint8Array>();
    for (const init of graph.initializers) {
      if (!external.has(init) && isTensorSource(init.data)) inline.set(init, await readSource(init.data, init.value.name));
    }
    const place = (init: Initializer): InitializerPlacement => {
      const linked = linkedName(init);
      if (linked !== undefined && isTensorSource(init.data) && init.data.kind === 'file') return { kind: 'external', location: linked, offset: init.data.offset, length: init.data.byteLength };
      const ext = plan.get(init);
      if (ext) return { kind: 'external', location, offset: ext.offset, length: ext.length };
      const bytes = inline.get(init) ?? (isTensorSource(init.data) ? new Uint8Array() : tensorBytes(init.data));
      return { kind: 'inline', bytes };
    };
    const model = encodeModel(graph, options, place);
    if (model.length >= PROTOBUF_LIMIT) {
      throw new EngineError('invalid-argument', `Model '${graph.name}' would be ${model.length} bytes inline, over protobuf's 2 GiB limit; lower externalThreshold.`, { graph: graph.name, bytes: model.length });
    }
    let externalBytes = 0;
    if (plan.size > 0) {
      temps.push(`${dataPath}.${tag}`);
      externalBytes = await writeData(`${dataPath}.${tag}`, plan);
    }
    temps.push(`${modelPath}.${tag}`);
    await writeParts(`${modelPath}.${tag}`, model.parts());
    const linkPaths = [...links.values()].map((name) => join(dirname(modelPath), name));
    for (const path of linkPaths) await rename(`${path}.${tag}`, path);
    if (plan.size > 0) await rename(`${dataPath}.${tag}`, dataPath);
    await rename(`${modelPath}.${tag}`, modelPath);
    const linkedBytes = [...external.keys()].reduce((n, i) => n + (linkedName(i) !== undefined ? initializerByteLength(i) : 0), 0);
    return { modelPath, ...(plan.size > 0 ? { dataPath } : {}), modelBytes: model.length, externalBytes, linkedBytes, linkPaths };
  } catch (cause) {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    if (cause instanceof EngineError) throw cause;
    throw new EngineError('io-failure', `Could not write model '${modelPath}': ${String(cause)}. Check the folder exists, is writable and has space.`, { path: modelPath }, { cause });
  }
}
