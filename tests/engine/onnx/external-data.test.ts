// writeModel: inline below the threshold, external data above it (forced small here), file and lazy
// initializer sources streamed into the data file, models loaded by path on onnxruntime, no
// temporary files left behind.
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tensorBytes, tensorDataToNumbers } from '../../../src/engine/core/dtype';
import { GraphBuilder } from '../../../src/engine/ir/builder';
import type { Graph } from '../../../src/engine/ir/graph';
import { emitModel } from '../../../src/engine/onnx/model';
import { writeModel } from '../../../src/engine/onnx/write';
import { loadSession } from '../../../src/engine/runtime/index';
import { feed, randomFloats } from './run-graph';
import { matmul } from './reference';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aptp-onnx-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const W1 = new Float32Array(randomFloats(64 * 32, 61));
const W2 = new Float32Array(randomFloats(32 * 8, 62));

/** x[2,64] @ w1[64,32] @ w2[32,8] + bias; w1 from a weights file at an offset, w2 lazily. */
async function model(): Promise<Graph> {
  const weights = join(dir, 'weights.bin');
  await writeFile(weights, Buffer.concat([Buffer.alloc(100, 7), Buffer.from(tensorBytes(W1))]));
  const b = new GraphBuilder('two_layer');
  const x = b.input('x', 'float32', [2, 64]);
  const w1 = b.initializer('layer1.weight', { kind: 'file', path: weights, offset: 100, byteLength: W1.byteLength }, [64, 32], 'float32');
  const w2 = b.initializer('layer2.weight', { kind: 'lazy', byteLength: W2.byteLength, load: () => Promise.resolve(new Uint8Array(tensorBytes(W2))) }, [32, 8], 'float32');
  const bias = b.initializer('layer2.bias', new Float32Array(8).fill(0.5), [8]);
  b.output(b.add(b.matmul(b.matmul(x, w1), w2), bias), 'y');
  return b.build();
}

async function runByPath(path: string): Promise<number[]> {
  const session = await loadSession({ path }, 'cpu');
  try {
    const xs = new Float32Array(randomFloats(128, 63));
    const out = await session.run({ x: feed('float32', [2, 64], xs) });
    const y = out.y;
    if (!y) throw new Error('no output y');
    const expected = matmul(matmul(Array.from(xs), Array.from(W1), 2, 64, 32), Array.from(W2), 2, 32, 8).map((v) => v + 0.5);
    tensorDataToNumbers('float32', y.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? Number.NaN, 4));
    return tensorDataToNumbers('float32', y.data);
  } finally {
    await session.dispose();
  }
}

describe('writeModel', () => {
  it('keeps initializers inline below the threshold (sources are read in)', async () => {
    const path = join(dir, 'inline.onnx');
    const written = await writeModel(await model(), path);
    expect(written.dataPath).toBeUndefined();
    expect(written.externalBytes).toBe(0);
    expect((await stat(path)).size).toBeGreaterThan(W1.byteLength + W2.byteLength);
    await runByPath(path);
    expect((await readdir(dir)).sort()).toEqual(['inline.onnx', 'weights.bin']);
  });

  it('writes the same bytes as the in-memory encoding when an inline tensor is larger than a write batch', async () => {
    // 3 M floats (12 MB, above writeParts' 8 MB gathering) between many small parts.
    const b = new GraphBuilder('big_inline');
    const x = b.input('x', 'float32', [1, 3_000_000]);
    const big = b.initializer('big', Float32Array.from({ length: 3_000_000 }, (_, i) => (i % 977) / 977), [1, 3_000_000]);
    let y = b.add(x, big);
    for (let i = 0; i < 200; i++) y = b.mul(y, 1 + i / 1000);
    b.output(y, 'y');
    const graph = b.build();
    const path = join(dir, 'big.onnx');
    await writeModel(graph, path, { externalThreshold: Number.POSITIVE_INFINITY });
    expect(Buffer.from(await readFile(path)).equals(Buffer.from(emitModel(graph)))).toBe(true);
  });

  it('moves large initializers to external data above the threshold and loads by path', async () => {
    const path = join(dir, 'ext.onnx');
    const written = await writeModel(await model(), path, { externalThreshold: 1000, externalMinBytes: 64 });
    expect(written.dataPath).toBe(join(dir, 'ext.onnx.data'));
    const aligned = Math.ceil(W1.byteLength / 64) * 64;
    expect(written.externalBytes).toBe(aligned + W2.byteLength);
    expect((await stat(path)).size).toBeLessThan(4096);
    const inline = await runByPath(path);
    expect(inline).toHaveLength(16);
    expect((await readdir(dir)).sort()).toEqual(['ext.onnx', 'ext.onnx.data', 'weights.bin']);
  });

  it('links file sources in place instead of copying them (linkSourceFiles), and loads by path', async () => {
    const path = join(dir, 'linked.onnx');
    const written = await writeModel(await model(), path, { externalThreshold: 1000, externalMinBytes: 64, linkSourceFiles: true });
    expect(written.linkedBytes).toBe(W1.byteLength);
    expect(written.externalBytes).toBe(W2.byteLength);
    expect(written.linkPaths).toEqual([join(dir, 'linked.onnx.w0')]);
    const [source, link] = await Promise.all([stat(join(dir, 'weights.bin')), stat(join(dir, 'linked.onnx.w0'))]);
    expect(link.ino).toBe(source.ino);
    const inline = await runByPath(path);
    expect(inline).toHaveLength(16);
    expect((await readdir(dir)).sort()).toEqual(['linked.onnx', 'linked.onnx.data', 'linked.onnx.w0', 'weights.bin']);
    await rm(join(dir, 'weights.bin'));
    expect(await runByPath(path)).toEqual(inline);
  });

  it('refuses to link a source file shorter than its tensors and leaves no temporary file', async () => {
    const b = new GraphBuilder('short_link');
    const x = b.input('x', 'float32', [4]);
    const w = b.initializer('w', { kind: 'file', path: join(dir, 'short.bin'), offset: 0, byteLength: 16 }, [4], 'float32');
    b.output(b.add(x, w), 'y');
    await writeFile(join(dir, 'short.bin'), Buffer.alloc(8));
    await expect(writeModel(b.build(), join(dir, 'm.onnx'), { externalThreshold: 0, externalMinBytes: 0, linkSourceFiles: true })).rejects.toMatchObject({ code: 'corrupt-file', details: { initializer: 'w' } });
    expect((await readdir(dir)).sort()).toEqual(['short.bin']);
  });

  it('reports a source that is shorter than declared and leaves no temporary file', async () => {
    const b = new GraphBuilder('broken');
    const x = b.input('x', 'float32', [4]);
    const w = b.initializer('w', { kind: 'file', path: join(dir, 'short.bin'), offset: 0, byteLength: 16 }, [4], 'float32');
    b.output(b.add(x, w), 'y');
    await writeFile(join(dir, 'short.bin'), Buffer.alloc(8));
    const graph = b.build();
    await expect(writeModel(graph, join(dir, 'm.onnx'))).rejects.toMatchObject({ code: 'corrupt-file', details: { initializer: 'w' } });
    await expect(writeModel(graph, join(dir, 'm.onnx'), { externalThreshold: 0, externalMinBytes: 0 })).rejects.toMatchObject({ code: 'corrupt-file' });
    expect((await readdir(dir)).sort()).toEqual(['short.bin']);
  });
});
