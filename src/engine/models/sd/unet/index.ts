// Public surface of the SD UNet: the graph builder, its gate modes, the resolved architecture and
// the weight-provider kit shared with the CLIP and VAE builders.
export { buildUNet, blockOutputName, UNET_INPUTS, UNET_OUTPUT, type BuiltUNet, type UNetBuildOptions } from './unet';
export { resolveUNet, type UNetArch, type BlockArch, type ResnetArch, type TransformerArch } from './arch';
export { type GateMode } from './gating';
export { Params, randomWeights, shapeOnlyWeights, type ComputeDType, type ParamSpec, type WeightData, type WeightProvider } from './layers';
