// The studio's history of what it made: every generated image is kept in the workspace (a PNG with
// its settings in text chunks, and a row in the database). The gallery lists them newest first,
// reads one image (a thumbnail or the whole file, as a data URL: the renderer never reads a file),
// and deletes one (the workspace's copy only). Contracts only.
import { z } from 'zod';
import { modelOpenOptionsSchema, samplerKindSchema } from './studio-model';

const generationId = z.string().min(1).max(100);
const count = z.number().int().nonnegative();

export const generationRecordSchema = z.object({
  id: generationId,
  createdAt: z.string(),
  /** The model folder or single-file checkpoint, and how it was opened. */
  model: z.string(),
  options: modelOpenOptionsSchema,
  prompt: z.string(),
  negativePrompt: z.string(),
  seed: count,
  steps: count,
  guidance: z.number(),
  sampler: samplerKindSchema,
  width: count,
  height: count,
  elapsedMs: z.number().nonnegative(),
  /** The PNG's path inside the workspace. */
  file: z.string(),
  bytes: count,
});
export type GenerationRecord = z.output<typeof generationRecordSchema>;

export const listGenerations = {
  input: z.object({ limit: z.number().int().min(1).max(500).default(60), offset: z.number().int().nonnegative().default(0) }).strict(),
  output: z.object({ generations: z.array(generationRecordSchema), total: count }),
};

export const generationImage = {
  input: z.object({ id: generationId, thumbnail: z.boolean().default(false) }).strict(),
  /** The file's bytes (with its text chunks) or a thumbnail of at most 256 px; the name to save it as. */
  output: z.object({ dataUrl: z.string().startsWith('data:image/png;base64,'), fileName: z.string() }),
};

export const deleteGeneration = {
  input: z.object({ id: generationId }).strict(),
  output: z.object({ deleted: z.boolean() }),
};
