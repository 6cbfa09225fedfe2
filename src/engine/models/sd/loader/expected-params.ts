// The state-dict keys and torch shapes a checkpoint must hold for each SD component: exactly the
// keys the graph builders ask for (structure/summary.ts builds each graph with shape-only weights),
// so the loader's check (missing, unexpected, wrong shape), the single-file key mapping and the
// graphs can never disagree. Building the SD 2.1 UNet for its list takes a fraction of a second,
// so the lists are kept per config.
import type { ClipTextConfig, UNetConfig, VaeConfig } from '../config';
import { clipParamSpecs, unetParamSpecs, vaeParamSpecs } from '../structure/summary';
import type { ParamSpec } from '../unet/layers';

export type ExpectedParam = ParamSpec;

/** Buffers some checkpoints carry that no graph needs (tolerated when present, never required). */
export const IGNORABLE_KEYS: readonly RegExp[] = [/^text_model\.embeddings\.position_ids$/];

function perConfig<C>(derive: (config: C) => readonly ParamSpec[]): (config: C) => ExpectedParam[] {
  const known = new Map<string, readonly ParamSpec[]>();
  return (config) => {
    const key = JSON.stringify(config);
    let specs = known.get(key);
    if (!specs) {
      specs = derive(config);
      known.set(key, specs);
    }
    return [...specs];
  };
}

/** UNet2DConditionModel parameters (diffusers' state-dict keys). */
export const unetParams = perConfig<UNetConfig>(unetParamSpecs);
/** CLIPTextModel parameters (transformers' state-dict keys, `text_model.` prefix). */
export const clipTextParams = perConfig<ClipTextConfig>(clipParamSpecs);
/** AutoencoderKL parameters (encoder, quant convs, decoder; diffusers' state-dict keys). */
export const vaeParams = perConfig<VaeConfig>(vaeParamSpecs);
