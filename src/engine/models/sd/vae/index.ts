// Public surface of the AutoencoderKL builders.
export { buildVaeDecoder, buildVaeEncoder, vaeLatentSize, VAE_DECODER_IO, VAE_ENCODER_IO, type BuiltVae, type VaeBuildOptions } from './vae';
