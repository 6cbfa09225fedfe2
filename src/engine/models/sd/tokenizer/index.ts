// Public surface of the CLIP tokenizer: load from a diffusers tokenizer folder, encode prompts to
// the model length (77 for SD) of padded ids exactly as transformers' CLIPTokenizer does.
export { Bpe, END_OF_WORD } from './bpe';
export { byteAlphabet, fromByteChars, toByteChars } from './byte-level';
export { ClipTokenizer, clipTokenLowerBound, type ClipTokenizerSpec, type TokenizerFlavor, type EncodeOptions, type Encoded } from './clip-tokenizer';
export { type TokenizerPaths, loadClipTokenizer, readMerges, tokenizerPaths } from './files';
