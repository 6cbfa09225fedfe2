// Real UNet configs (unet/config.json as the Stable Diffusion 1.5 and 2.1 diffusers folders ship
// them) for the architecture summary, benchmarks and tests at true scale without downloading a
// model. Parsed with the shared config schema, so defaults and checks are the loader's own.
import { parseUNetConfig, type UNetConfig } from '../config/unet';

const DOWN = ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'];
const UP = ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'];
const COMMON = {
  _class_name: 'UNet2DConditionModel', act_fn: 'silu', block_out_channels: [320, 640, 1280, 1280], center_input_sample: false,
  down_block_types: DOWN, up_block_types: UP, downsample_padding: 1, flip_sin_to_cos: true, freq_shift: 0, in_channels: 4,
  out_channels: 4, layers_per_block: 2, mid_block_scale_factor: 1, norm_eps: 1e-5, norm_num_groups: 32,
};

/** stabilityai/stable-diffusion-2-1 unet/config.json (v-prediction, 768 px). */
export const SD21_UNET_JSON = { ...COMMON, attention_head_dim: [5, 10, 20, 20], cross_attention_dim: 1024, sample_size: 96, upcast_attention: true, use_linear_projection: true };

/** runwayml/stable-diffusion-v1-5 unet/config.json (epsilon, 512 px). */
export const SD15_UNET_JSON = { ...COMMON, attention_head_dim: 8, cross_attention_dim: 768, sample_size: 64 };

export function presetUNetConfig(which: 'sd21' | 'sd15'): UNetConfig {
  return parseUNetConfig(which === 'sd21' ? SD21_UNET_JSON : SD15_UNET_JSON, { file: `${which} preset unet/config.json`, component: 'unet' });
}
