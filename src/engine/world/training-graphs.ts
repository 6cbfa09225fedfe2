// The world model's training graphs, each one forward + loss over diffusers-named weights (which
// promoteToInputs turns into trained inputs):
// - autoencoder: VAE encoder -> latents (reparameterised with fed noise) -> decoder; loss = mean
//   squared reconstruction error + klWeight * KL(q(z|x) || N(0, 1)) per latent element.
// - diffusion: CLIP text encoder -> UNet on noisy latents; loss = mean squared error against the
//   epsilon target (noising is done on the host from the DDPM tables, see world-build).
import type { Graph, Value } from '../ir';
import { GraphBuilder } from '../ir';
import { parseClipTextConfig, parseUNetConfig, parseVaeConfig, type ClipTextConfig, type UNetConfig, type VaeConfig } from '../models/sd/config';
import { buildClipTextEncoder, CLIP_INPUT, CLIP_OUTPUTS } from '../models/sd/clip';
import { buildUNet, UNET_INPUTS, UNET_OUTPUT } from '../models/sd/unet';
import type { WeightProvider } from '../models/sd/unet/layers';
import { buildVaeDecoder, buildVaeEncoder, VAE_DECODER_IO, VAE_ENCODER_IO, vaeLatentSize } from '../models/sd/vae';
import { appendGraph } from '../train/compose';
import { IMAGE_SIZE } from './vocabulary';
import { WORLD_UNET, WORLD_VAE, worldTextConfig } from './model-config';

export const TEXT_LENGTH = 77;
export const TARGET_INPUT = 'target';

const origin = (component: string): { file: string; component: string } => ({ file: `${component}/config.json`, component });
export const worldConfigs = (): { unet: UNetConfig; vae: VaeConfig; text: ClipTextConfig } => ({
  unet: parseUNetConfig(WORLD_UNET, origin('unet')),
  vae: parseVaeConfig(WORLD_VAE, origin('vae')),
  text: parseClipTextConfig(worldTextConfig(), origin('text_encoder')),
});

export const LATENT_SIZE = vaeLatentSize(parseVaeConfig(WORLD_VAE, origin('vae')), IMAGE_SIZE);

function mse(b: GraphBuilder, a: Value, t: Value): Value {
  const d = b.sub(a, t);
  return b.reduceMean(b.mul(d, d), undefined, false);
}

/** image [N,3,64,64] in [-1,1], noise [N,4,16,16] -> loss, recon_loss, kl, latent_mean. */
export function autoencoderGraph(vae: VaeConfig, batch: number, weights: WeightProvider, klWeight: number): Graph {
  const opts = { batch, height: IMAGE_SIZE, width: IMAGE_SIZE, weights };
  const b = new GraphBuilder('world_vae_train');
  const enc = appendGraph(b, buildVaeEncoder(vae, opts).graph);
  const image = b.valueByName(VAE_ENCODER_IO.image);
  const dec = appendGraph(b, buildVaeDecoder(vae, opts).graph, { [VAE_DECODER_IO.latents]: enc[VAE_ENCODER_IO.latents]! });
  const recon = mse(b, dec[VAE_DECODER_IO.image]!, image!);
  const mean = enc[VAE_ENCODER_IO.mean]!;
  const logvar = enc[VAE_ENCODER_IO.logvar]!;
  const kl = b.mul(b.reduceMean(b.sub(b.sub(b.add(b.mul(mean, mean), b.exp(logvar)), 1), logvar), undefined, false), 0.5);
  b.output(b.add(recon, b.mul(kl, klWeight)), 'loss');
  b.output(recon, 'recon_loss');
  b.output(kl, 'kl');
  b.output(mean, 'latent_mean');
  return b.build();
}

/** input_ids [N,77], sample [N,4,16,16] (noisy latents), timestep [N], target [N,4,16,16] -> loss. */
export function diffusionGraph(configs: { unet: UNetConfig; text: ClipTextConfig }, batch: number, weights: { unet: WeightProvider; text: WeightProvider }): Graph {
  const b = new GraphBuilder('world_diffusion_train');
  const text = appendGraph(b, buildClipTextEncoder(configs.text, { batch, length: TEXT_LENGTH, weights: weights.text }).graph);
  const unet = buildUNet(configs.unet, { batch, height: LATENT_SIZE, width: LATENT_SIZE, textLength: TEXT_LENGTH, weights: weights.unet }).graph;
  const out = appendGraph(b, unet, { [UNET_INPUTS.context]: text[CLIP_OUTPUTS.hidden]! });
  const target = b.input(TARGET_INPUT, 'float32', [batch, 4, LATENT_SIZE, LATENT_SIZE]);
  b.output(mse(b, out[UNET_OUTPUT]!, target), 'loss');
  return b.build();
}

export { CLIP_INPUT };
