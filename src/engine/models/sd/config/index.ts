// Public surface of the SD config layer: schemas, frozen config types, parsers that refuse
// unsupported architectures by name, and the resolved UNet block layout.
export { type ConfigOrigin, type DeepReadonly, LIMITS, deepFreeze, parseWith, perBlock, readConfigFile, readJsonFile } from './parse';
export { type KeyRule, type KeyRules, checkKeys, differentValue } from './keys';
export { DOWN_BLOCK_TYPES, MID_BLOCK_TYPES, UP_BLOCK_TYPES, type UNetBlockSpec, type UNetConfig, type UNetLayout, parseUNetConfig, UNET_KEY_RULES, unetBlocks, unetConfigSchema, unsupportedUNet } from './unet';
export { CLIP_ACTIVATIONS, CLIP_KEY_RULES, type ClipTextConfig, clipTextConfigSchema, parseClipTextConfig, unsupportedClip } from './clip';
export { type VaeConfig, VAE_KEY_RULES, parseVaeConfig, unsupportedVae, vaeConfigSchema } from './vae';
export { BETA_SCHEDULES, KNOWN_SCHEDULER_CLASSES, PREDICTION_TYPES, SCHEDULER_KEY_RULES, type PredictionType, type SchedulerConfig, TIMESTEP_SPACINGS, parseSchedulerConfig } from './scheduler';
export { type ModelIndex, REQUIRED_COMPONENTS, SUPPORTED_PIPELINES, type SdComponent, modelIndexSchema, parseModelIndex, unsupportedPipeline } from './model-index';
