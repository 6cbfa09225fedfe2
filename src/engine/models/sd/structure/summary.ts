// The architecture summary the studio's Model view and the CLI show: expected parameter keys and
// shapes per component (what the loader checks a checkpoint against), parameter counts, UNet MACs at
// the training resolution, and gate counts per UNet block. Parameter lists come from building each
// graph with shape-only weights, so they are exactly the keys the builders ask for.
import { numel } from '../../../core/shape';
import { buildClipTextEncoder } from '../clip/text-encoder';
import type { ClipTextConfig } from '../config/clip';
import type { UNetConfig } from '../config/unet';
import type { VaeConfig } from '../config/vae';
import { resolveUNet } from '../unet/arch';
import { shapeOnlyWeights, type ParamSpec } from '../unet/layers';
import { buildUNet } from '../unet/unet';
import { buildVaeDecoder, buildVaeEncoder } from '../vae/vae';
import { gateLayout } from './gates';
import { unetMacs } from './macs';

/** State-dict keys and shapes a UNet checkpoint must hold for `config`. */
export function unetParamSpecs(config: UNetConfig): readonly ParamSpec[] {
  const arch = resolveUNet(config);
  const size = 2 ** (arch.levels - 1);
  return buildUNet(config, { batch: 1, height: size, width: size, textLength: 1, weights: shapeOnlyWeights() }).params;
}

/** Keys and shapes of a CLIPTextModel checkpoint (with the 'text_model.' prefix SD folders use). */
export function clipParamSpecs(config: ClipTextConfig): readonly ParamSpec[] {
  return buildClipTextEncoder(config, { batch: 1, length: 1, weights: shapeOnlyWeights() }).params;
}

/** Keys and shapes of an AutoencoderKL checkpoint (encoder, decoder and both quant convs). */
export function vaeParamSpecs(config: VaeConfig): readonly ParamSpec[] {
  const size = 2 ** (config.block_out_channels.length - 1);
  const options = { batch: 1, height: size, width: size, weights: shapeOnlyWeights() };
  return [...buildVaeEncoder(config, options).params, ...buildVaeDecoder(config, options).params];
}

export function countParams(specs: readonly ParamSpec[]): number {
  return specs.reduce((s, p) => s + numel(p.shape), 0);
}

export interface BlockGateCounts {
  readonly block: string;
  readonly resnetGroups: number;
  readonly attentionHeads: number;
  readonly ffGroups: number;
  readonly depthGates: number;
  /** Architecture-vector entries of the block (width + depth). */
  readonly entries: number;
}

export interface UNetSummary {
  readonly params: number;
  readonly macs: { readonly total: number; readonly prunable: number; readonly latent: { readonly height: number; readonly width: number } };
  readonly widthGroups: number;
  readonly widthEntries: number;
  readonly depthGates: number;
  readonly vectorLength: number;
  readonly blocks: readonly BlockGateCounts[];
}

/** Parameters, MACs at `latent` (32x32 for 256 px) and gate counts per block. */
export function summarizeUNet(config: UNetConfig, latent: { height: number; width: number } = { height: 32, width: 32 }): UNetSummary {
  const arch = resolveUNet(config);
  const layout = gateLayout(arch);
  const macs = unetMacs(arch, latent);
  const blocks = arch.blocks.map((block): BlockGateCounts => {
    const groups = layout.groups.filter((g) => g.block === block.path);
    const sum = (kinds: readonly string[]): number => groups.filter((g) => kinds.includes(g.kind)).reduce((s, g) => s + g.width, 0);
    return { block: block.path, resnetGroups: sum(['resnet']), attentionHeads: sum(['attn1', 'attn2']), ffGroups: sum(['ff']), depthGates: sum(['depth']), entries: sum(['resnet', 'attn1', 'attn2', 'ff', 'depth']) };
  });
  return {
    params: countParams(unetParamSpecs(config)),
    macs: { total: macs.total, prunable: macs.prunable, latent: { ...latent } },
    widthGroups: layout.widthGroups.length, widthEntries: layout.widthEntries, depthGates: layout.depthGroups.length,
    vectorLength: layout.vectorLength, blocks,
  };
}

export interface ModelSummary {
  readonly unet: UNetSummary;
  readonly textEncoderParams: number;
  readonly vaeParams: number;
  readonly totalParams: number;
}

/** The Model view's whole-pipeline summary: per-component parameters plus the UNet summary. */
export function summarizeModel(configs: { readonly unet: UNetConfig; readonly textEncoder: ClipTextConfig; readonly vae: VaeConfig }, latent?: { height: number; width: number }): ModelSummary {
  const unet = summarizeUNet(configs.unet, latent);
  const textEncoderParams = countParams(clipParamSpecs(configs.textEncoder));
  const vaeParams = countParams(vaeParamSpecs(configs.vae));
  return { unet, textEncoderParams, vaeParams, totalParams: unet.params + textEncoderParams + vaeParams };
}
