// How an image was made, as the text chunks its PNG carries: `parameters` in the AUTOMATIC1111
// layout that most tools read (prompt, then "Negative prompt: ...", then "Steps: ..., Sampler: ...")
// and `aptp` as JSON with every field, so a file alone is enough to make it again.
export interface GenerationParameters {
  readonly prompt: string;
  readonly negativePrompt: string;
  readonly seed: number;
  readonly steps: number;
  readonly guidance: number;
  readonly sampler: string;
  readonly width: number;
  readonly height: number;
  /** The model folder or single-file checkpoint. */
  readonly model: string;
  readonly elapsedMs: number;
}

/** The text chunks for an image made with `p`. */
export function generationPngText(p: GenerationParameters): Record<string, string> {
  const modelName = p.model.split(/[\\/]/).filter(Boolean).pop() ?? p.model;
  const settings = [`Steps: ${p.steps}`, `Sampler: ${p.sampler}`, `CFG scale: ${p.guidance}`, `Seed: ${p.seed}`, `Size: ${p.width}x${p.height}`, `Model: ${modelName}`];
  const parameters = [p.prompt, ...(p.negativePrompt ? [`Negative prompt: ${p.negativePrompt}`] : []), settings.join(', ')].join('\n');
  return { parameters, aptp: JSON.stringify({ ...p, elapsedMs: Math.round(p.elapsedMs) }), Software: 'APTP Studio' };
}
