// CLIP text encoder graph on a tiny config: causal attention (a later token never changes earlier
// states), pooled output is the state at the end-of-text token, quick_gelu and gelu configs both
// build, and an over-long text length is refused with a fix.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../../src/engine/core/errors';
import { buildClipTextEncoder, CLIP_OUTPUTS } from '../../../../../src/engine/models/sd/clip/text-encoder';
import { randomWeights } from '../../../../../src/engine/models/sd/unet/layers';
import { hostTensor } from '../../../../../src/engine/runtime';
import { runGraph, tinyClipConfig } from '../unet/helpers';

const ids = (tokens: number[]) => hostTensor('int64', [1, tokens.length], BigInt64Array.from(tokens.map(BigInt)));

describe('buildClipTextEncoder', () => {
  it.each(['quick_gelu', 'gelu'])('is causal and pools at the end-of-text token (%s)', async (act) => {
    const config = tinyClipConfig({ hidden_act: act });
    const { graph } = buildClipTextEncoder(config, { batch: 1, length: 6, weights: randomWeights(3) });
    const a = await runGraph(graph, { input_ids: ids([5, 7, 99, 1, 1, 1]) });
    const b = await runGraph(graph, { input_ids: ids([5, 7, 99, 4, 8, 1]) });
    const hidden = (r: typeof a) => Array.from(r[CLIP_OUTPUTS.hidden]!.data as Float32Array);
    const h = 16;
    expect(hidden(a).slice(0, 3 * h)).toEqual(hidden(b).slice(0, 3 * h));
    expect(hidden(a).slice(3 * h, 4 * h)).not.toEqual(hidden(b).slice(3 * h, 4 * h));
    expect(Array.from(a[CLIP_OUTPUTS.pooled]!.data as Float32Array)).toEqual(hidden(a).slice(2 * h, 3 * h));
  });

  it('refuses more tokens than position embeddings', () => {
    expect(() => buildClipTextEncoder(tinyClipConfig(), { batch: 1, length: 78, weights: randomWeights(1) })).toThrow(EngineError);
  });
});
