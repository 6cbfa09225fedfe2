// Issue 13.6, weights: a model whose weights hold NaN or infinity is refused when it is opened (the
// one place every generation, CLI or studio, opens a model), naming the component and tensor,
// instead of rendering a black image. fp16 and float32 weights, folder and single-file layouts share
// the check (src/engine/weights/finite-check.ts); a clean model still opens.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { float32ToFloat16Bits } from '../../src/engine/core/dtype';
import { openModel } from '../../src/engine/models/sd/loader';
import { findNonFiniteWeights, openSafetensors, writeSafetensors, type TensorToWrite } from '../../src/engine/weights';
import { writeTinyFolder } from '../engine/models/sd/loader/tiny-folder';
import { tempDir } from '../engine/store/helpers';

const temp = tempDir('aptp-nan-weights-');
afterAll(() => temp.cleanup());

/** Replaces the data of the tensor named `name` in `component` with `value` everywhere. */
const poison = (component: string, name: string, value: number) => (c: string, list: TensorToWrite[]): TensorToWrite[] =>
  c !== component ? list : list.map((t) => (t.name !== name ? t : { ...t, data: t.dtype === 'F16' ? (t.data as Uint16Array).map(() => float32ToFloat16Bits(value)) : (t.data as Float32Array).map(() => value) }));

describe('weights with NaN or infinity (13.6)', () => {
  it('opens a clean tiny model', async () => {
    const model = await openModel(await writeTinyFolder(join(temp.dir, 'clean')));
    expect(model.weights.unet.names.length).toBeGreaterThan(0);
  });

  it.each([
    ['a NaN UNet conv (float32)', 'unet', 'conv_in.weight', NaN, undefined],
    ['an infinite VAE weight (fp16 variant)', 'vae', 'decoder.conv_out.bias', Infinity, 'fp16' as const],
    ['a NaN text-encoder embedding', 'text_encoder', 'text_model.embeddings.token_embedding.weight', NaN, undefined],
  ])('refuses %s, naming component and tensor', async (_label, component, tensor, value, variant) => {
    const dir = await writeTinyFolder(join(temp.dir, `${component}-${tensor}`), { ...(variant ? { variant } : {}), edit: poison(component, tensor, value) });
    await expect(openModel(dir)).rejects.toMatchObject({ code: 'corrupt-file', message: expect.stringContaining(`the ${component} weight '${tensor}'`) });
  });

  it('finds non-finite values only in the sampled ends of a tensor, and reports how many', async () => {
    const path = join(temp.dir, 'sample.safetensors');
    const big = new Float32Array(20_000);
    big[3] = NaN;
    big[19_999] = -Infinity;
    big[10_000] = NaN;
    await writeSafetensors(path, [{ name: 'big', dtype: 'F32', shape: [20_000], data: big }, { name: 'ok', dtype: 'F32', shape: [4], data: new Float32Array(4) }], { format: 'pt' });
    const file = await openSafetensors(path);
    const found = await findNonFiniteWeights([...file.tensors.values()].map((entry) => ({ path, name: entry.name, entry })));
    expect(found).toEqual([{ path, name: 'big', sampled: 8192, nonFinite: 2 }]);
  });
});
