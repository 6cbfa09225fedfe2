// The diffusion model's own networks as the preparation's encoders: the AutoencoderKL encoder
// (latent distribution: mean and clamped log-variance) and the CLIP text encoder (last_hidden_state
// as text states, pooler_output as the default prompt embedding), built by the engine's graph
// builders from a diffusers folder, written once per batch shape and run through openSession.
// What is cached per image is the latent distribution, [mean; logvar] along channels (diffusers'
// DiagonalGaussianDistribution.parameters): training draws fresh noise each epoch and scales,
// z = (mean + exp(logvar / 2) * eps) * scaling_factor.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '../core/errors';
import type { Graph } from '../ir';
import { buildClipTextEncoder, CLIP_INPUT, CLIP_OUTPUTS } from '../models/sd/clip';
import type { ClipTextConfig, VaeConfig } from '../models/sd/config';
import { openDiffusersFolder } from '../models/sd/loader';
import { loadClipTokenizer, type ClipTokenizer } from '../models/sd/tokenizer';
import type { WeightProvider } from '../models/sd/unet';
import { buildVaeEncoder, VAE_ENCODER_IO } from '../models/sd/vae';
import { writeModel } from '../onnx';
import { defaultSessionCache, hostTensor, openSession, type HostTensor, type RuntimeSession, type SessionConfig } from '../runtime';
import { modelComponentId, textEncoderId } from './model-id';
import type { NpyTensor } from './npy';
import type { CaptionEncoder, CaptionKind, LatentEncoder } from './prepare-dataset';

/**
 * Training's side of the cached latent distribution: `params` [2C, h, w] (mean then logvar) and
 * standard normal `eps` [C, h, w] -> scaled latents (mean + exp(logvar / 2) * eps) * scalingFactor,
 * what the VAE encoder graph's `latents` output gives for that noise.
 */
export function sampleLatent(params: Float32Array, eps: Float32Array, scalingFactor: number): Float32Array {
  const per = params.length / 2;
  if (eps.length !== per) throw new EngineError('invalid-argument', `Latent noise has ${eps.length} values but the cached distribution needs ${per}; draw noise of the latent's shape [C, h, w].`, { noise: eps.length, latent: per });
  const out = new Float32Array(per);
  for (let i = 0; i < per; i++) out[i] = (params[i]! + Math.exp(params[per + i]! / 2) * eps[i]!) * scalingFactor;
  return out;
}

/** Graphs written to a private folder and opened through the engine's session cache, one per name. */
export class GraphSessions {
  private readonly sessions = new Map<string, Promise<RuntimeSession>>();
  private dir: Promise<string> | undefined;

  constructor(private readonly config: SessionConfig) {}

  get(name: string, build: () => Graph): Promise<RuntimeSession> {
    let s = this.sessions.get(name);
    if (!s) {
      s = (async () => {
        this.dir ??= mkdtemp(join(tmpdir(), 'aptp-prepare-'));
        const path = join(await this.dir, `${name}.onnx`);
        await writeModel(build(), path, { linkSourceFiles: true }); // weights referenced in place, not copied
        return openSession({ path }, this.config);
      })();
      this.sessions.set(name, s);
      s.catch(() => this.sessions.delete(name));
    }
    return s;
  }

  async dispose(): Promise<void> {
    const open = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of open) {
      const session = await s.catch(() => undefined);
      if (session) await defaultSessionCache().evict(session.key);
    }
    if (this.dir) await rm(await this.dir, { recursive: true, force: true });
  }
}

function float32Of(t: HostTensor | undefined, what: string): Float32Array {
  if (!t || !(t.data instanceof Float32Array)) throw new EngineError('runtime-failure', `The ${what} returned no float32 output.`, { what });
  return t.data;
}

/** Pads a batch to `size` rows by repeating its first row (fixed shapes: one session per batch size). */
function padRows<T>(rows: readonly T[], size: number): T[] {
  const first = rows[0];
  if (first === undefined) throw new EngineError('invalid-argument', 'An encoder batch needs at least one item.', {});
  return [...rows, ...Array<T>(Math.max(0, size - rows.length)).fill(first)];
}

export class VaeLatentEncoder implements LatentEncoder {
  readonly scale: number;

  constructor(
    readonly modelId: string,
    private readonly config: VaeConfig,
    private readonly weights: WeightProvider,
    readonly batchSize: number,
    private readonly sessions: GraphSessions,
  ) {
    this.scale = 2 ** (config.block_out_channels.length - 1);
  }

  async encodeBatch(inputs: readonly Float32Array[], resolution: number): Promise<NpyTensor[]> {
    if (resolution % this.scale !== 0) {
      throw new EngineError('invalid-argument', `The resolution ${resolution} is not a multiple of the VAE's downsampling factor ${this.scale}; choose --resolution ${Math.round(resolution / this.scale) * this.scale}.`, { resolution, scale: this.scale });
    }
    const n = this.batchSize;
    const c = this.config.latent_channels;
    const s = resolution / this.scale;
    const session = await this.sessions.get(`vae_encoder_b${n}_${resolution}`, () => buildVaeEncoder(this.config, { batch: n, height: resolution, width: resolution, weights: this.weights }).graph);
    const image = new Float32Array(n * 3 * resolution * resolution);
    padRows(inputs, n).forEach((x, i) => image.set(x, i * x.length));
    const out = await session.run({
      [VAE_ENCODER_IO.image]: hostTensor('float32', [n, 3, resolution, resolution], image),
      [VAE_ENCODER_IO.noise]: hostTensor('float32', [n, c, s, s], new Float32Array(n * c * s * s)),
    }, [VAE_ENCODER_IO.mean, VAE_ENCODER_IO.logvar]);
    const mean = float32Of(out[VAE_ENCODER_IO.mean], 'VAE encoder');
    const logvar = float32Of(out[VAE_ENCODER_IO.logvar], 'VAE encoder');
    const per = c * s * s;
    return inputs.map((_, i) => {
      const data = new Float32Array(2 * per);
      data.set(mean.subarray(i * per, (i + 1) * per), 0);
      data.set(logvar.subarray(i * per, (i + 1) * per), per);
      return { dtype: 'float32', shape: [2 * c, s, s], data };
    });
  }
}

export class ClipCaptionEncoder implements CaptionEncoder {
  readonly outputs: Readonly<Record<CaptionKind, string>>;
  /** Captions whose tokens past the 77th were cut (the model never sees them). */
  truncated = 0;

  constructor(
    textId: string,
    private readonly config: ClipTextConfig,
    private readonly weights: WeightProvider,
    private readonly tokenizer: ClipTokenizer,
    readonly batchSize: number,
    private readonly sessions: GraphSessions,
  ) {
    this.outputs = { 'text-states': textId, 'prompt-embedding': `${textId}#${CLIP_OUTPUTS.pooled}` };
  }

  /** The caption's tokens without bos / eos, as this model's tokenizer splits it. */
  countTokens(caption: string): number {
    return this.tokenizer.tokenize(caption).length;
  }

  /** Tokens of its own a caption can have before the model cuts it (77 minus bos and eos). */
  get window(): number {
    return this.tokenizer.maxLength - 2;
  }

  async encodeBatch(captions: readonly string[]): Promise<Record<CaptionKind, NpyTensor>[]> {
    const n = this.batchSize;
    const L = this.tokenizer.maxLength;
    const d = this.config.hidden_size;
    const ids = new BigInt64Array(n * L);
    padRows(captions, n).forEach((caption, i) => {
      const e = this.tokenizer.encode(caption);
      if (i < captions.length && e.truncated.length > 0) this.truncated++;
      e.ids.forEach((id, j) => (ids[i * L + j] = BigInt(id)));
    });
    const session = await this.sessions.get(`text_encoder_b${n}_${L}`, () => buildClipTextEncoder(this.config, { batch: n, length: L, weights: this.weights }).graph);
    const out = await session.run({ [CLIP_INPUT]: hostTensor('int64', [n, L], ids) }, [CLIP_OUTPUTS.hidden, CLIP_OUTPUTS.pooled]);
    const hidden = float32Of(out[CLIP_OUTPUTS.hidden], 'text encoder');
    const pooled = float32Of(out[CLIP_OUTPUTS.pooled], 'text encoder');
    return captions.map((_, i) => ({
      'text-states': { dtype: 'float32', shape: [L, d], data: hidden.slice(i * L * d, (i + 1) * L * d) },
      'prompt-embedding': { dtype: 'float32', shape: [d], data: pooled.slice(i * d, (i + 1) * d) },
    }));
  }
}

export interface SdEncoderOptions {
  /** Images per VAE run (default 4) and captions per text-encoder run (default 16). */
  readonly imageBatch?: number;
  readonly captionBatch?: number;
  readonly session?: SessionConfig;
}

export interface SdEncoders {
  readonly latent: VaeLatentEncoder;
  readonly caption: ClipCaptionEncoder;
  /** What the prompt embeddings are, for the run record. */
  readonly promptEncoder: string;
  dispose(): Promise<void>;
}

/** Opens a diffusers folder's VAE and text encoder (weights read lazily, by offset) as encoders. */
export async function openSdEncoders(modelDir: string, o: SdEncoderOptions = {}): Promise<SdEncoders> {
  const model = await openDiffusersFolder(modelDir);
  if (!model.tokenizer) throw new EngineError('unsupported-model', `${modelDir} has no tokenizer folder; captions cannot be encoded.`, { dir: modelDir });
  const tokenizer = loadClipTokenizer(model.tokenizer);
  const sessions = new GraphSessions(o.session ?? {});
  const [vaeId, textId] = await Promise.all([modelComponentId(modelDir, 'vae'), textEncoderId(modelDir)]);
  const latent = new VaeLatentEncoder(vaeId, model.vae, model.weights.vae.provider('float32'), o.imageBatch ?? 4, sessions);
  const caption = new ClipCaptionEncoder(textId, model.textEncoder, model.weights.textEncoder.provider('float32'), tokenizer, o.captionBatch ?? 16, sessions);
  return { latent, caption, promptEncoder: `the model's text encoder, ${CLIP_OUTPUTS.pooled} (${caption.outputs['prompt-embedding']})`, dispose: () => sessions.dispose() };
}
