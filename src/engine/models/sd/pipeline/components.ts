// The three networks text-to-image generation calls, behind a small interface (so the loop can be
// driven by any implementation), and the onnxruntime-backed implementation built from the SD
// component configs with the engine's UNet / CLIP / VAE graph builders. Graphs have static shapes,
// so one session is built per (network, batch, size) the first time it is asked for and kept.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Graph } from '../../../ir';
import { writeModel } from '../../../onnx';
import { hostTensor, loadSession, type HostTensor, type ProviderName, type RuntimeSession } from '../../../runtime';
import { buildClipTextEncoder, CLIP_INPUT, CLIP_OUTPUTS } from '../clip';
import type { ClipTextConfig, UNetConfig, VaeConfig } from '../config';
import type { SdModel } from '../loader';
import { buildUNet, UNET_INPUTS, UNET_OUTPUT, type WeightProvider } from '../unet';
import { buildVaeDecoder, VAE_DECODER_IO } from '../vae';
import { EngineError } from '../../../core/errors';
import { imageGeometry } from './geometry';

export interface LatentGeometry {
  readonly channels: number;
  /** Pixels per latent cell (8 for SD). */
  readonly vaeScale: number;
  /** The latent height and width must be a multiple of this (the UNet's total downsampling). */
  readonly latentMultiple: number;
  readonly textLength: number;
  readonly textWidth: number;
}

export interface DiffusionComponents {
  readonly geometry: LatentGeometry;
  /** ids [batch, textLength] -> last hidden states [batch, textLength, textWidth]. */
  encodeText(ids: BigInt64Array, batch: number): Promise<Float32Array>;
  /** latents [batch, C, h, w] at `timestep` with text states [batch, L, D] -> the UNet's prediction. */
  predict(latents: Float32Array, timestep: number, states: Float32Array, batch: number, h: number, w: number): Promise<Float32Array>;
  /** Scaled latents [batch, C, h, w] -> image [batch, 3, h*vaeScale, w*vaeScale], roughly in [-1, 1]. */
  decode(latents: Float32Array, batch: number, h: number, w: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface ComponentSpec {
  readonly unet: UNetConfig;
  readonly textEncoder: ClipTextConfig;
  readonly vae: VaeConfig;
  readonly weights: { readonly unet: WeightProvider; readonly textEncoder: WeightProvider; readonly vae: WeightProvider };
  /** Token ids per prompt: the tokenizer's model_max_length (77 for SD), at most max_position_embeddings. */
  readonly textLength: number;
}

/** The component spec of a loaded model (prompts of `textLength` ids), weights served lazily by offset as float32. */
export function componentSpec(model: SdModel, textLength: number): ComponentSpec {
  const positions = model.textEncoder.max_position_embeddings;
  if (!Number.isInteger(textLength) || textLength < 2 || textLength > positions) {
    throw new EngineError('invalid-argument', `The tokenizer pads prompts to ${textLength} tokens but the text encoder has ${positions} positions (max_position_embeddings); the tokenizer's model_max_length must be from 2 to ${positions}. Fix tokenizer_config.json or choose the tokenizer that belongs to this model.`, { textLength, positions });
  }
  return {
    textLength,
    unet: model.unet,
    textEncoder: model.textEncoder,
    vae: model.vae,
    weights: { unet: model.weights.unet.provider('float32'), textEncoder: model.weights.textEncoder.provider('float32'), vae: model.weights.vae.provider('float32') },
  };
}

function float32Of(t: HostTensor | undefined, what: string): Float32Array {
  if (!t || !(t.data instanceof Float32Array)) throw new EngineError('runtime-failure', `The ${what} returned no float32 output.`, { what });
  return t.data;
}

export class OnnxComponents implements DiffusionComponents {
  readonly geometry: LatentGeometry;
  private readonly sessions = new Map<string, Promise<RuntimeSession>>();
  private readonly dir = mkdtempSync(join(tmpdir(), 'aptp-sd-'));

  constructor(
    private readonly spec: ComponentSpec,
    private readonly provider: ProviderName = 'cpu',
  ) {
    const image = imageGeometry(spec);
    this.geometry = Object.freeze({
      channels: spec.vae.latent_channels,
      vaeScale: image.vaeScale,
      latentMultiple: image.latentMultiple,
      textLength: spec.textLength,
      textWidth: spec.textEncoder.hidden_size,
    });
  }

  private session(key: string, build: () => Graph): Promise<RuntimeSession> {
    let s = this.sessions.get(key);
    if (!s) {
      s = (async () => {
        const path = join(this.dir, `${key}.onnx`);
        await writeModel(build(), path);
        return loadSession({ path }, this.provider);
      })();
      this.sessions.set(key, s);
    }
    return s;
  }

  async encodeText(ids: BigInt64Array, batch: number): Promise<Float32Array> {
    const { textLength: L } = this.geometry;
    const s = await this.session(`text_encoder_b${batch}`, () => buildClipTextEncoder(this.spec.textEncoder, { batch, length: L, weights: this.spec.weights.textEncoder }).graph);
    const out = await s.run({ [CLIP_INPUT]: hostTensor('int64', [batch, L], ids) }, [CLIP_OUTPUTS.hidden]);
    return float32Of(out[CLIP_OUTPUTS.hidden], 'text encoder');
  }

  async predict(latents: Float32Array, timestep: number, states: Float32Array, batch: number, h: number, w: number): Promise<Float32Array> {
    const { channels: C, textLength: L, textWidth: D } = this.geometry;
    const s = await this.session(`unet_b${batch}_${h}x${w}`, () => buildUNet(this.spec.unet, { batch, height: h, width: w, textLength: L, weights: this.spec.weights.unet }).graph);
    const out = await s.run({
      [UNET_INPUTS.sample]: hostTensor('float32', [batch, C, h, w], latents),
      [UNET_INPUTS.timestep]: hostTensor('float32', [batch], new Float32Array(batch).fill(timestep)),
      [UNET_INPUTS.context]: hostTensor('float32', [batch, L, D], states),
    }, [UNET_OUTPUT]);
    return float32Of(out[UNET_OUTPUT], 'UNet');
  }

  async decode(latents: Float32Array, batch: number, h: number, w: number): Promise<Float32Array> {
    const { channels: C, vaeScale } = this.geometry;
    const s = await this.session(`vae_decoder_b${batch}_${h}x${w}`, () => buildVaeDecoder(this.spec.vae, { batch, height: h * vaeScale, width: w * vaeScale, weights: this.spec.weights.vae }).graph);
    const out = await s.run({ [VAE_DECODER_IO.latents]: hostTensor('float32', [batch, C, h, w], latents) }, [VAE_DECODER_IO.image]);
    return float32Of(out[VAE_DECODER_IO.image], 'VAE decoder');
  }

  async dispose(): Promise<void> {
    const open = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of open) await (await s.catch(() => null))?.dispose();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
