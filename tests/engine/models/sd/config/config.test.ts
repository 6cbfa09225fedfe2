// SD config layer: diffusers defaults, the historic attention_head_dim naming resolved per block,
// class-dependent scheduler defaults, and unsupported architectures refused by name.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../../src/engine/core/errors';
import { parseClipTextConfig, parseModelIndex, parseSchedulerConfig, parseUNetConfig, parseVaeConfig, unetBlocks } from '../../../../../src/engine/models/sd/config';

const origin = (component: string) => ({ file: `${component}/config.json`, component });

const SD15_UNET = {
  _class_name: 'UNet2DConditionModel', _diffusers_version: '0.6.0', act_fn: 'silu', attention_head_dim: 8,
  block_out_channels: [320, 640, 1280, 1280], center_input_sample: false, cross_attention_dim: 768,
  down_block_types: ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'],
  downsample_padding: 1, flip_sin_to_cos: true, freq_shift: 0, in_channels: 4, layers_per_block: 2,
  mid_block_scale_factor: 1, norm_eps: 1e-5, norm_num_groups: 32, out_channels: 4, sample_size: 64,
  up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'],
};
const SD21_UNET = { ...SD15_UNET, attention_head_dim: [5, 10, 20, 20], cross_attention_dim: 1024, use_linear_projection: true, upcast_attention: true, sample_size: 96, dual_cross_attention: false, num_class_embeds: null, only_cross_attention: false, class_embed_type: null };

function engineError(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

describe('UNet config', () => {
  it('reads SD 1.5: attention_head_dim 8 means 8 heads in every block', () => {
    const c = parseUNetConfig(SD15_UNET, origin('unet'));
    expect(c.num_attention_heads).toBeNull();
    expect(c.use_linear_projection).toBe(false);
    const layout = unetBlocks(c);
    expect(layout.down.map((b) => [b.channels, b.heads, b.headDim, b.layers, b.crossAttention])).toEqual([
      [320, 8, 40, 2, true], [640, 8, 80, 2, true], [1280, 8, 160, 2, true], [1280, 8, 160, 2, false],
    ]);
    expect(layout.up.map((b) => [b.channels, b.layers, b.crossAttention])).toEqual([[1280, 3, false], [1280, 3, true], [640, 3, true], [320, 3, true]]);
    expect(layout.mid).toMatchObject({ channels: 1280, heads: 8, crossAttentionDim: 768 });
  });

  it('reads SD 2.1: per-block heads 5/10/20/20 with head dim 64, reversed in the up path', () => {
    const layout = unetBlocks(parseUNetConfig(SD21_UNET, origin('unet')));
    expect(layout.down.map((b) => b.heads)).toEqual([5, 10, 20, 20]);
    expect(layout.down.every((b) => b.headDim === 64)).toBe(true);
    expect(layout.up.map((b) => b.heads)).toEqual([20, 20, 10, 5]);
    expect(layout.mid.heads).toBe(20);
  });

  it('applies diffusers defaults and freezes the result (unknown keys are refused: keys.test.ts)', () => {
    const c = parseUNetConfig({}, origin('unet'));
    expect(c.block_out_channels).toEqual([320, 640, 1280, 1280]);
    expect(c.attention_head_dim).toBe(8);
    expect(c.cross_attention_dim).toBe(1280);
    expect(c.sample_size).toBeNull();
    expect(Object.isFrozen(c) && Object.isFrozen(c.block_out_channels)).toBe(true);
  });

  it('refuses num_attention_heads as diffusers does (SD gives heads as attention_head_dim)', () => {
    const e = engineError(() => parseUNetConfig({ ...SD15_UNET, num_attention_heads: [4, 8, 16, 16], attention_head_dim: 64 }, origin('unet')));
    expect([e.code, e.details['key']]).toEqual(['unsupported-model', 'num_attention_heads']);
    expect(e.message).toContain('attention_head_dim');
  });

  it('refuses SDXL, upscalers and inpainting by name', () => {
    const sdxl = engineError(() => parseUNetConfig({ ...SD15_UNET, addition_embed_type: 'text_time', transformer_layers_per_block: [1, 2, 10] }, origin('unet')));
    expect(sdxl.code).toBe('unsupported-model');
    expect(sdxl.message).toContain("SDXL UNet (addition_embed_type 'text_time')");
    expect(sdxl.message).toContain('supported: SD 1.x and SD 2.x');
    expect(engineError(() => parseUNetConfig({ ...SD15_UNET, class_embed_type: null, num_class_embeds: 1000, in_channels: 7 }, origin('unet'))).message).toContain('class-conditioned');
    expect(engineError(() => parseUNetConfig({ ...SD15_UNET, in_channels: 9 }, origin('unet'))).message).toContain('9 input');
    expect(engineError(() => parseUNetConfig({ ...SD15_UNET, _class_name: 'SD3Transformer2DModel' }, origin('unet'))).message).toContain('SD3Transformer2DModel');
  });

  it('names the key of a malformed or inconsistent config', () => {
    const e = engineError(() => parseUNetConfig({ ...SD15_UNET, block_out_channels: 'wide' }, origin('unet')));
    expect([e.code, e.details['key']]).toEqual(['corrupt-file', 'block_out_channels']);
    expect(engineError(() => parseUNetConfig({ ...SD15_UNET, layers_per_block: [2, 2] }, origin('unet'))).message).toContain("'layers_per_block' has 2 entries");
    expect(engineError(() => parseUNetConfig({ ...SD15_UNET, attention_head_dim: 7 }, origin('unet'))).message).toContain('not divisible by 7');
  });
});

describe('CLIP text, VAE, scheduler and model_index configs', () => {
  it('reads SD 2 OpenCLIP (gelu) and refuses other encoders', () => {
    const c = parseClipTextConfig({ architectures: ['CLIPTextModel'], hidden_act: 'gelu', hidden_size: 1024, intermediate_size: 4096, num_attention_heads: 16, num_hidden_layers: 23, projection_dim: 512 }, origin('text_encoder'));
    expect([c.hidden_act, c.max_position_embeddings, c.vocab_size, c.layer_norm_eps]).toEqual(['gelu', 77, 49408, 1e-5]);
    expect(engineError(() => parseClipTextConfig({ architectures: ['CLIPTextModelWithProjection'] }, origin('text_encoder'))).message).toContain('SDXL');
    expect(engineError(() => parseClipTextConfig({ model_type: 't5' }, origin('text_encoder'))).message).toContain('T5');
  });

  it('reads the SD VAE and refuses a 16-channel SD3 VAE', () => {
    const v = parseVaeConfig({ block_out_channels: [128, 256, 512, 512], down_block_types: Array(4).fill('DownEncoderBlock2D'), up_block_types: Array(4).fill('UpDecoderBlock2D'), layers_per_block: 2, sample_size: 768 }, origin('vae'));
    expect([v.latent_channels, v.scaling_factor, v.norm_num_groups]).toEqual([4, 0.18215, 32]);
    const sd3 = engineError(() => parseVaeConfig({ latent_channels: 16, shift_factor: 0.0609, scaling_factor: 1.5305, use_quant_conv: false }, origin('vae')));
    expect(sd3.message).toContain('SD3 / Flux');
  });

  it('fills scheduler defaults per class as diffusers does', () => {
    const pndm = parseSchedulerConfig({ _class_name: 'PNDMScheduler', beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, skip_prk_steps: true, steps_offset: 1 }, origin('scheduler'));
    expect([pndm.timestep_spacing, pndm.set_alpha_to_one, pndm.prediction_type, pndm.steps_offset]).toEqual(['leading', false, 'epsilon', 1]);
    const ddim = parseSchedulerConfig({ _class_name: 'DDIMScheduler', prediction_type: 'v_prediction' }, origin('scheduler'));
    expect([ddim.timestep_spacing, ddim.set_alpha_to_one, ddim.clip_sample, ddim.prediction_type]).toEqual(['leading', true, true, 'v_prediction']);
    const euler = parseSchedulerConfig({ _class_name: 'EulerDiscreteScheduler', timestep_spacing: 'trailing' }, origin('scheduler'));
    expect(euler.timestep_spacing).toBe('trailing');
    expect(parseSchedulerConfig({ _class_name: 'DPMSolverMultistepScheduler' }, origin('scheduler')).timestep_spacing).toBe('linspace');
    expect(engineError(() => parseSchedulerConfig({ _class_name: 'FlowMatchEulerDiscreteScheduler' }, origin('scheduler'))).message).toContain('SD3 / Flux');
  });

  it('refuses SDXL / SD3 / Flux pipelines and folders missing a component', () => {
    const entry = (lib: string, cls: string) => [lib, cls];
    const sd = { _class_name: 'StableDiffusionPipeline', unet: entry('diffusers', 'UNet2DConditionModel'), text_encoder: entry('transformers', 'CLIPTextModel'), tokenizer: entry('transformers', 'CLIPTokenizer'), vae: entry('diffusers', 'AutoencoderKL'), scheduler: entry('diffusers', 'PNDMScheduler'), safety_checker: [null, null] };
    expect(parseModelIndex(sd, origin('model_index')).unet).toEqual(['diffusers', 'UNet2DConditionModel']);
    expect(engineError(() => parseModelIndex({ ...sd, _class_name: 'StableDiffusionXLPipeline' }, origin('model_index'))).message).toContain('SDXL');
    expect(engineError(() => parseModelIndex({ _class_name: 'StableDiffusion3Pipeline' }, origin('model_index'))).message).toContain('Stable Diffusion 3');
    expect(engineError(() => parseModelIndex({ _class_name: 'FluxPipeline' }, origin('model_index'))).message).toContain('Flux');
    const { vae: _vae, ...noVae } = sd;
    expect(engineError(() => parseModelIndex(noVae, origin('model_index'))).details['missing']).toEqual(['vae']);
  });
});
