// Public surface of the SD loader: open a diffusers folder or a single-file checkpoint as an
// SdModel (validated configs + lazily served weights under diffusers keys).
export { type ExpectedParam, IGNORABLE_KEYS, clipTextParams, unetParams, vaeParams } from './expected-params';
export { type FolderOptions, openDiffusersFolder } from './folder';
export { type LdmSource, ldmClipKey, ldmOpenClipKey, ldmUnetKey, ldmVaeKey } from './ldm-keys';
export { type SdFamily, type SdModel, type TokenizerFiles, familyOf } from './model';
export { type OpenModelOptions, openModel } from './open-model';
export { type SingleFileOptions, openSingleFile } from './single-file';
export { type VariantChoice, findWeights } from './weight-files';
export { type ParamRequest, type WeightLookup, type WeightRef, WeightSet, wholeRef } from './weight-set';
