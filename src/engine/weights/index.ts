// Public surface of the weights layer: lazy safetensors reading by offset (with BF16/F16
// conversion as lazy sources), atomic safetensors writing, float byte conversions, and the
// NaN/infinity check of loaded weights.
export { type FloatTarget, SAFETENSORS_DTYPES, SAFETENSORS_ITEM_BYTES, type SafetensorsDType, type SafetensorsEntry, type SafetensorsFile, type SourcedTensor, type LoadedTensor, entryOf, entrySource, openSafetensors, parseHeader, readEntry, readEntryBytes, readTensor, targetDType, tensorSource } from './safetensors';
export { type TensorToWrite, encodeHeader, writeSafetensors } from './safetensors-write';
export { type StoredFloat, convertFloatBytes, float32ToBFloat16Bits } from './convert';
export { type NonFiniteWeight, type WeightToCheck, FINITE_SAMPLE, findNonFiniteWeights, refuseNonFiniteWeights } from './finite-check';
