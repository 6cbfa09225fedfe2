// Public surface of SD generation: the one text-to-image path (TextToImage) the CLI and the studio
// share, image geometry, the component interface and its onnxruntime implementation, the guided
// denoising loop, decoding to RGB, and PNG output.
export { OnnxComponents, componentSpec, type ComponentSpec, type DiffusionComponents, type LatentGeometry } from './components';
export { decodeImages, generateLatents, imagesToRgb, initialLatents, type GenerateRequest, type GenerateResult } from './generate';
export { MAX_IMAGE_SIDE, imageGeometry, latentSize, type ImageGeometry } from './geometry';
export { DECODING_DETAIL, TextToImage, noTokenizerMessage, type TextToImageOptions, type TextToImageRequest, type TextToImageResult } from './text-to-image';
export { encodePng, outputPaths, writePngs } from './png';
