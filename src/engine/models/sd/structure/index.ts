// Public surface of the UNet's APTP structure: gate groups and architecture-vector layout, MACs per
// unit and gate entry, parameter specs and counts, the per-block summary, real SD presets.
export { ARCH_VECTOR_INPUT, FF_GATE_GROUPS, depthGateId, gateInputName, gateLayout, type GateGroup, type GateKind, type GateLayout, type WidthKind } from './gates';
export { unetMacs, type UNetMacs, type UnitMacs } from './macs';
export { clipParamSpecs, countParams, summarizeModel, summarizeUNet, unetParamSpecs, vaeParamSpecs, type BlockGateCounts, type ModelSummary, type UNetSummary } from './summary';
export { presetUNetConfig, SD15_UNET_JSON, SD21_UNET_JSON } from './presets';
