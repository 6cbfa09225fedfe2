// Public surface of the SD config layer: schemas, frozen config types, parsers that refuse
// unsupported architectures by name, and the resolved UNet block layout.
export { type ConfigOrigin, type DeepReadonly, deepFreeze, parseWith, perBlock, readConfigFile, readJsonFile } from './parse';
export { DOWN_BLOCK_TYPES, MID_BLOCK_TYPES, UP_BLOCK_TYPES, type UNetBlockSpec, type UNetConfig, type UNetLayout, parseUNetConfig, unetBlocks, unetConfigSchema, unsupportedUNet } from './unet';
export { CLIP_ACTIVATIONS, type ClipTextConfig, clipTextConfigSchema, parseClipTextConfig, unsupportedClip } from './clip';
export { type VaeConfig, parseVaeConfig, unsupportedVae, vaeConfigSchema } from './vae';
export { BETA_SCHEDULES, KNOWN_SCHEDULER_CLASSES, PREDICTION_TYPES, type PredictionType, type SchedulerConfig, TIMESTEP_SPACINGS, parseSchedulerConfig } from './scheduler';
export { type ModelIndex, REQUIRED_COMPONENTS, SUPPORTED_PIPELINES, type SdComponent, modelIndexSchema, parseModelIndex, unsupportedPipeline } from './model-index';
