// Public surface of the CLIP text encoder builder.
export { buildClipTextEncoder, CLIP_INPUT, CLIP_OUTPUTS, type BuiltClip, type ClipBuildOptions } from './text-encoder';
