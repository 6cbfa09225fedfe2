// Public surface of SD generation: the component interface and its onnxruntime implementation, the
// guided denoising loop, decoding to RGB, and PNG output.
export { OnnxComponents, componentSpec, type ComponentSpec, type DiffusionComponents, type LatentGeometry } from './components';
export { decodeImages, generateLatents, initialLatents, type GenerateRequest, type GenerateResult } from './generate';
export { outputPaths, writePngs } from './png';
