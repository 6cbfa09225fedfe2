// The optimized-model cache on real onnxruntime CPU sessions and real files: a conv chain with its
// input gradient (the flipped kernels ORT folds) and a Gemm, weights as external data. The first
// load optimises and saves, the second reuses the saved graph, both give exactly the uncached
// session's outputs; a changed weight file, other options or a damaged entry never reuse a stale graph.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gradients } from '../../../src/engine/autodiff';
import { GraphBuilder } from '../../../src/engine/ir';
import { externalDataLocations, writeModel } from '../../../src/engine/onnx';
import { OPTIMIZED_CACHE_ENTRIES, hostTensor, loadSession, optimizedCacheKey, type HostTensor } from '../../../src/engine/runtime';
import { Random, uniformFanIn } from '../../../src/engine/train';

const root = mkdtempSync(join(tmpdir(), 'aptp-optcache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const [N, C, HW] = [2, 16, 6];

/** A conv chain + Gemm with d(loss)/d(x); `seed` picks the weights, `scale` the Gemm width. */
async function writeChain(dir: string, seed: number, width = 5): Promise<string> {
  const b = new GraphBuilder('chain');
  const rand = new Random(seed);
  const x = b.input('x', 'float32', [N, C, HW, HW]);
  let h = x;
  for (let i = 0; i < 3; i++) {
    const w = b.initializer(`w${i}`, uniformFanIn(rand, 'float32', [C, C, 3, 3], C * 9).data, [C, C, 3, 3]);
    h = b.conv(b.silu(h), w, b.initializer(`b${i}`, uniformFanIn(rand, 'float32', [C], C).data, [C]), { pads: [1, 1, 1, 1] });
  }
  const lin = b.initializer('lin', uniformFanIn(rand, 'float32', [width, C * HW * HW], C * HW * HW).data, [width, C * HW * HW]);
  const loss = b.reduceSum(b.gemm(b.reshape(h, [N, C * HW * HW]), lin, undefined, { transB: 1 }), undefined, false);
  b.output(loss, 'loss');
  b.output(gradients(b, loss, [x])[0] ?? x, 'dx');
  return (await writeModel(b.build(), join(dir, 'chain.onnx'), { externalThreshold: 0, externalMinBytes: 64 })).modelPath;
}

const feeds = { x: hostTensor('float32', [N, C, HW, HW], Float32Array.from(new Random(9).normals(N * C * HW * HW))) };

async function outputs(path: string, cacheDir?: string): Promise<{ out: Record<string, HostTensor>; outcome: string | undefined }> {
  const session = await loadSession({ path }, 'cpu', { intraOpThreads: 1, ...(cacheDir ? { optimizedCacheDir: cacheDir } : {}) });
  try {
    return { out: await session.run(feeds), outcome: session.optimizedCache };
  } finally {
    await session.dispose();
  }
}

describe('optimized-model cache', () => {
  it('saves the optimised graph once, then reuses it with exactly the uncached outputs', async () => {
    const dir = mkdtempSync(join(root, 'reuse-'));
    const path = await writeChain(dir, 1);
    const cache = join(dir, 'cache');
    const plain = await outputs(path);
    const first = await outputs(path, cache);
    const second = await outputs(path, cache);
    expect([first.outcome, second.outcome]).toEqual(['saved', 'hit']);
    expect(first.out).toEqual(plain.out);
    expect(second.out).toEqual(plain.out);
    const files = readdirSync(cache).sort();
    expect(files).toHaveLength(2);
    expect(files.filter((f) => f.endsWith('.onnx'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.data'))).toHaveLength(1);
  });

  it('misses when a weight file changes under the same model bytes, and gives the new outputs', async () => {
    const dir = mkdtempSync(join(root, 'weights-'));
    const cache = join(dir, 'cache');
    const path = await writeChain(dir, 1);
    await outputs(path, cache);
    const before = await optimizedCacheKey(path, 'cpu', {});
    const modelBytes = readdirSync(dir).length;
    await writeChain(dir, 2); // same graph, same layout, other weights (a new data file by rename)
    expect(readdirSync(dir)).toHaveLength(modelBytes);
    expect(await optimizedCacheKey(path, 'cpu', {})).not.toBe(before);
    const changed = await outputs(path, cache);
    expect(changed.outcome).toBe('saved');
    expect(changed.out).toEqual((await outputs(path)).out);
  });

  it('keys on the options that shape the optimised graph', async () => {
    const dir = mkdtempSync(join(root, 'options-'));
    const path = await writeChain(dir, 1);
    const keys = await Promise.all([{}, { prepacking: false }, { optimization: 'extended' as const }, { disabledOptimizers: ['NchwcTransformer'] }].map((c) => optimizedCacheKey(path, 'cpu', c)));
    expect(new Set(keys).size).toBe(4);
    expect(await optimizedCacheKey(path, 'cpu', { intraOpThreads: 1 })).toBe(keys[0]);
  });

  it('optimises again when a saved entry is damaged', async () => {
    const dir = mkdtempSync(join(root, 'damaged-'));
    const path = await writeChain(dir, 1);
    const cache = join(dir, 'cache');
    await outputs(path, cache);
    const data = readdirSync(cache).find((f) => f.endsWith('.data')) ?? '';
    writeFileSync(join(cache, data), new Uint8Array(10)); // truncated: the saved graph cannot load
    const again = await outputs(path, cache);
    expect(again.outcome).toBe('saved');
    expect(again.out).toEqual((await outputs(path)).out);
  });

  it(`keeps the ${OPTIMIZED_CACHE_ENTRIES} most recently used entries`, async () => {
    const cache = join(root, 'lru-cache');
    for (let width = 1; width <= OPTIMIZED_CACHE_ENTRIES + 1; width++) await outputs(await writeChain(mkdtempSync(join(root, 'lru-')), 1, width), cache);
    expect(readdirSync(cache).filter((f) => f.endsWith('.onnx'))).toHaveLength(OPTIMIZED_CACHE_ENTRIES);
  });

  it('reads the external data files a model names', async () => {
    const dir = mkdtempSync(join(root, 'locations-'));
    const path = await writeChain(dir, 1);
    expect(externalDataLocations(readFileSync(path))).toEqual(['chain.onnx.data']);
  });
});
