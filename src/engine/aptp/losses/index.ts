// Public surface of APTP's losses: router side (resource ratio and its three losses, contrastive)
// and UNet side (min-SNR DDPM, distillation, block), all as graph functions, plus their config.
export { gatedMacs, maxLoss, prunableTarget, resourceLoss, resourceModel, resourceRatio, stdLoss, type ResourceModel } from './resource';
export { CONTRASTIVE_TEMPERATURES, contrastiveLoss, type ContrastiveTemperatures } from './contrastive';
export { blockLoss, ddpmLoss, distillationLoss, perSampleMse } from './diffusion';
export { OBJECTIVE_PRESETS, lossWeightsSchema, stage1Objective, stage1ObjectiveSchema, type LossWeights, type ObjectiveOverrides, type ObjectivePreset, type Stage1Objective } from './config';
