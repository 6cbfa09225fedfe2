// safetensors: round trip through the writer, sources by offset (no conversion) or lazy (BF16, F16
// <-> F32), and every kind of damaged file refused with the file and tensor named.
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../../src/engine/core/dtype';
import { EngineError } from '../../../src/engine/core/errors';
import { float32ToBFloat16Bits, openSafetensors, readTensor, tensorSource, writeSafetensors } from '../../../src/engine/weights';

const dir = mkdtempSync(join(tmpdir(), 'aptp-st-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const w = new Float32Array([1.5, -2.25, 3.0e-3, 65504, -0.0, 7, 8, 9]);
const half = Uint16Array.from([0.5, -1, 2.5, 1000], float32ToFloat16Bits);
const bf = Uint16Array.from([1, -3.140625, 1e20, 2 ** -100], float32ToBFloat16Bits);
const ids = BigInt64Array.from([0n, 1n, 2n, 76n]);

async function sample(name: string): Promise<string> {
  const path = join(dir, name);
  await writeSafetensors(path, [
    { name: 'w', dtype: 'F32', shape: [2, 4], data: w },
    { name: 'h', dtype: 'F16', shape: [4], data: half },
    { name: 'b', dtype: 'BF16', shape: [2, 2], data: bf },
    { name: 'position_ids', dtype: 'I64', shape: [1, 4], data: ids },
  ], { format: 'pt' });
  return path;
}

/** Rewrites the JSON header of `path` (keeping its length field consistent) and returns the new path. */
function withHeader(path: string, name: string, edit: (h: Record<string, { data_offsets: number[]; shape: number[]; dtype: string }>) => void): string {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, { data_offsets: number[]; shape: number[]; dtype: string }>;
  edit(header);
  const text = Buffer.from(JSON.stringify(header).padEnd(n, ' '));
  if (text.byteLength !== n) throw new Error('edited header must keep its length in this helper');
  const out = join(dir, name);
  writeFileSync(out, Buffer.concat([buf.subarray(0, 8), text, buf.subarray(8 + n)]));
  return out;
}

async function refusal(path: string): Promise<EngineError> {
  try {
    await openSafetensors(path);
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error(`${path} was accepted`);
}

describe('safetensors reader', () => {
  it('reads the header only and gives file sources at absolute offsets', async () => {
    const f = await openSafetensors(await sample('a.safetensors'));
    expect([...f.tensors.keys()]).toEqual(['w', 'h', 'b', 'position_ids']);
    expect(f.metadata).toEqual({ format: 'pt' });
    expect(f.dataStart % 8).toBe(0);
    const t = tensorSource(f, 'w');
    expect(t).toMatchObject({ dtype: 'float32', shape: [2, 4], source: { kind: 'file', path: f.path, offset: f.dataStart, byteLength: 32 } });
    const raw = readFileSync(f.path).subarray(f.dataStart, f.dataStart + 32);
    expect(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + 32))).toEqual(w);
    expect(tensorSource(f, 'position_ids').source).toMatchObject({ kind: 'file', offset: f.dataStart + 32 + 8 + 8 });
  });

  it('keeps F16 as float16 by offset, or converts it (and F32) lazily as asked', async () => {
    const f = await openSafetensors(await sample('b.safetensors'));
    expect(tensorSource(f, 'h').source.kind).toBe('file');
    expect((await readTensor(f, 'h')).data).toEqual(half);
    const h32 = await readTensor(f, 'h', 'float32');
    expect([h32.dtype, ...h32.data]).toEqual(['float32', 0.5, -1, 2.5, 1000]);
    const w16 = await readTensor(f, 'w', 'float16');
    expect(w16.dtype).toBe('float16');
    expect([...w16.data].map(Number).map(float16BitsToFloat32)).toEqual([...w].map((v) => float16BitsToFloat32(float32ToFloat16Bits(v))));
    expect((await readTensor(f, 'position_ids', 'float16')).dtype).toBe('int64');
  });

  it('turns BF16 into a lazy float32 source with exact values', async () => {
    const f = await openSafetensors(await sample('c.safetensors'));
    const s = tensorSource(f, 'b');
    expect([s.dtype, s.source.kind, s.source.byteLength]).toEqual(['float32', 'lazy', 16]);
    const b = await readTensor(f, 'b');
    expect(b.data[0]).toBe(1);
    expect(b.data[1]).toBe(-3.140625);
    expect(Math.abs((b.data[2] as number) / 1e20 - 1)).toBeLessThan(1 / 128);
    expect(b.data[3]).toBe(2 ** -100);
  });

  it('refuses a truncated (half-downloaded) file, naming the tensor', async () => {
    const path = await sample('trunc.safetensors');
    truncateSync(path, readFileSync(path).byteLength - 3);
    const e = await refusal(path);
    expect([e.code, e.details['tensor']]).toEqual(['corrupt-file', 'position_ids']);
    expect(e.message).toContain('truncated');
    const tiny = join(dir, 'tiny.safetensors');
    writeFileSync(tiny, Buffer.from([1, 2, 3]));
    expect((await refusal(tiny)).message).toContain('too short');
  });

  it('refuses lying headers: shape vs span, overlap, hole, bad dtype, bad length, junk', async () => {
    const base = await sample('base.safetensors');
    const shape = await refusal(withHeader(base, 's.safetensors', (h) => { h['w']!.shape = [3, 4]; }));
    expect([shape.details['tensor'], shape.message]).toEqual(['w', expect.stringContaining('needs 48 bytes but data_offsets span 32')]);
    const overlap = await refusal(withHeader(base, 'o.safetensors', (h) => { h['h']!.data_offsets = [30, 38]; }));
    expect(overlap.message).toContain('overlaps');
    const dtype = await refusal(withHeader(base, 'd.safetensors', (h) => { h['w']!.dtype = 'I16'; }));
    expect([dtype.code, dtype.details['tensor']]).toEqual(['unsupported-model', 'w']);
    const hole = await refusal(withHeader(base, 'hole.safetensors', (h) => { h['w']!.data_offsets = [0, 28]; h['w']!.shape = [7]; }));
    expect(hole.message).toContain('hole');
    const extra = join(dir, 'extra.safetensors');
    writeFileSync(extra, Buffer.concat([readFileSync(base), Buffer.alloc(4)]));
    expect((await refusal(extra)).message).toContain('not described by the header');
    const huge = join(dir, 'huge.safetensors');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(1n << 40n);
    writeFileSync(huge, Buffer.concat([len, Buffer.from('{}')]));
    expect((await refusal(huge)).message).toContain('not a safetensors file');
    const junk = join(dir, 'junk.safetensors');
    len.writeBigUInt64LE(4n);
    writeFileSync(junk, Buffer.concat([len, Buffer.from('{"a"')]));
    expect((await refusal(junk)).message).toContain('not valid UTF-8 JSON');
  });

  it('reports a missing file and a missing tensor as not-found', async () => {
    expect((await refusal(join(dir, 'nope.safetensors'))).code).toBe('not-found');
    const f = await openSafetensors(await sample('d.safetensors'));
    expect(() => tensorSource(f, 'nope')).toThrow(/has no tensor 'nope'/);
  });

  it('writer refuses data that does not match the shape', async () => {
    await expect(writeSafetensors(join(dir, 'bad.safetensors'), [{ name: 'x', dtype: 'F32', shape: [3], data: new Float32Array(2) }])).rejects.toThrow(/8 bytes given for shape \[3\]/);
  });
});
