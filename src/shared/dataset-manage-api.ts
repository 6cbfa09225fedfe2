// The Dataset view's managing and curating part of the StudioApi: rename and delete a dataset
// (the workspace's records and caches, never the user's files), one item in full with its image
// (the detail view; a duplicate names its original), excluding and including items, and the export
// of the cleaned subset as an image folder with sidecars (a job: progress, Cancel). Contracts only.
import { z } from 'zod';

const datasetId = z.string().uuid();
const itemId = z.number().int().nonnegative();

export const renameDataset = {
  input: z.object({ datasetId, name: z.string().trim().min(1).max(200) }).strict(),
  output: z.object({ renamed: z.boolean() }),
};

export const deleteDataset = {
  input: z.object({ datasetId }).strict(),
  output: z.object({ name: z.string(), items: z.number().int(), cachedFiles: z.number().int(), thumbnails: z.number().int() }),
};

export const datasetItemDetailSchema = z.object({
  id: itemId,
  key: z.string(),
  /** The image's path on the machine the engine runs on, and the caption file's, when there are files. */
  imageFile: z.string().nullable(),
  captionFile: z.string().nullable(),
  caption: z.string().nullable(),
  captionChars: z.number().nullable(),
  captionTokens: z.number().nullable(),
  /** True once Prepare counted with the model's tokenizer; before, a lower bound. */
  captionTokensExact: z.boolean(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  imageFormat: z.string().nullable(),
  imageBytes: z.number().nullable(),
  repeats: z.number(),
  category: z.string(),
  /** The category's label and why this item is in it. */
  label: z.string(),
  reason: z.string().nullable(),
  excluded: z.boolean(),
  /** The item this one duplicates (the first seen with the same image), shown side by side. */
  original: z.object({ id: itemId, key: z.string() }).nullable(),
});

export const datasetItem = {
  input: z.object({ datasetId, itemId }).strict(),
  output: datasetItemDetailSchema,
};

export const datasetImage = {
  input: z.object({ datasetId, itemId, maxSide: z.number().int().min(64).max(4096).default(1600) }).strict(),
  /** The image at most maxSide on its longer side (never enlarged), with its real size. */
  output: z.object({ dataUrl: z.string(), width: z.number(), height: z.number() }),
};

export const setItemsExcluded = {
  input: z.object({ datasetId, itemIds: z.array(itemId).min(1).max(10_000), excluded: z.boolean() }).strict(),
  output: z.object({ changed: z.number().int() }),
};

/** Starts an export job (its id comes back; progress and the result arrive as job events). */
export const exportDatasetInputSchema = z.object({
  datasetId,
  target: z.string().min(1).max(4096),
  /** Replace a non-empty target folder. */
  force: z.boolean().default(false),
}).strict();
export const datasetExportedSchema = z.object({ target: z.string(), images: z.number(), captions: z.number(), changed: z.number(), excluded: z.number() });

export type DatasetItemDetail = z.infer<typeof datasetItemDetailSchema>;
