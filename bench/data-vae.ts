// Data benchmark, VAE side (issue 5 item 8): images per second the preparation's VAE encoder runs
// at, through the same VaeLatentEncoder `aptp data prepare` uses (graph built by the engine, one
// onnxruntime session per batch shape via openSession, output split into per-image mean+logvar).
// The real SD 1.x/2.x AutoencoderKL config (83.7M parameters; the encoder half runs) with seeded
// random weights (speed does not depend on the values), on photo-like images prepared by sharp.
// Prints `name: value` lines; no thresholds. Run: npx tsx bench/data-vae.ts
// (BENCH_RESOLUTION default 256, BENCH_BATCH default 4, BENCH_IMAGES default 8, BENCH_PROVIDER default auto).
import { cpus } from 'node:os';
import { sha256 } from '../src/engine/data/image-check';
import { prepareImage, toModelInput } from '../src/engine/data/prepare-image';
import { GraphSessions, VaeLatentEncoder } from '../src/engine/data/sd-encoders';
import { parseVaeConfig } from '../src/engine/models/sd/config';
import { randomWeights } from '../src/engine/models/sd/unet/layers';
import { providerReport, type ProviderName } from '../src/engine/runtime';
import { line } from './report';
import { photo } from './synthetic-photo';

const RESOLUTION = Number(process.env.BENCH_RESOLUTION ?? 256);
const BATCH = Number(process.env.BENCH_BATCH ?? 4);
const IMAGES = Number(process.env.BENCH_IMAGES ?? 8);
const PROVIDER = (process.env.BENCH_PROVIDER ?? 'auto') as ProviderName | 'auto';

/** diffusers' AutoencoderKL config.json of SD 1.5 / 2.1 (sd-vae-ft-mse is the same shape). */
const SD_VAE = {
  _class_name: 'AutoencoderKL', in_channels: 3, out_channels: 3, latent_channels: 4, sample_size: 512, layers_per_block: 2, norm_num_groups: 32, act_fn: 'silu', scaling_factor: 0.18215,
  block_out_channels: [128, 256, 512, 512],
  down_block_types: ['DownEncoderBlock2D', 'DownEncoderBlock2D', 'DownEncoderBlock2D', 'DownEncoderBlock2D'],
  up_block_types: ['UpDecoderBlock2D', 'UpDecoderBlock2D', 'UpDecoderBlock2D', 'UpDecoderBlock2D'],
};



async function main(): Promise<void> {
  const config = parseVaeConfig(SD_VAE, { file: 'bench/data-vae.ts', component: 'vae' });
  const sessions = new GraphSessions({ provider: PROVIDER });
  const encoder = new VaeLatentEncoder('bench-sd-vae', config, randomWeights(5), BATCH, sessions);
  const spec = { resolution: RESOLUTION, crop: 'center', flip: false, seed: 0 } as const;
  const inputs = await Promise.all(Array.from({ length: IMAGES }, async (_, i) => {
    const bytes = await photo(i);
    return toModelInput(await prepareImage(bytes, sha256(bytes), spec));
  }));
  line('machine.cpus', cpus().length);
  line('runtime.provider', PROVIDER === 'auto' ? (await providerReport()).chosen : PROVIDER);
  line('vae.config', `SD 1.x/2.x AutoencoderKL encoder, ${RESOLUTION}px, batch ${BATCH}, float32`);
  try {
    let t0 = performance.now();
    await encoder.encodeBatch(inputs.slice(0, BATCH), RESOLUTION);
    line('vae_encode.first_batch_s (build + write + session + run)', (performance.now() - t0) / 1000);
    t0 = performance.now();
    let latentShape = '';
    for (let i = 0; i < IMAGES; i += BATCH) {
      const out = await encoder.encodeBatch(inputs.slice(i, i + BATCH), RESOLUTION);
      latentShape = out[0]!.shape.join('x');
    }
    const seconds = (performance.now() - t0) / 1000;
    line('vae_encode.cached_tensor', `${latentShape} float32 (mean + logvar)`);
    line('vae_encode.images', IMAGES);
    line('vae_encode.images_per_s', IMAGES / seconds);
    line('vae_encode.s_per_image', seconds / IMAGES);
  } finally {
    await sessions.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
