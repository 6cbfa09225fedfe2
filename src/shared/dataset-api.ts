// The Dataset view's part of the StudioApi: schemas for the engine-served folder browser (names
// only, never file contents), format detection, import, the validation report, pages of items
// (filtered by category, flag or histogram bin, searched in captions and file names, sorted), thumbnails by item id, and the import and
// preparation jobs' inputs and results. Contracts only.
import { z } from 'zod';

const path = z.string().min(1).max(4096);
const datasetId = z.string().uuid();

export const datasetFormatSchema = z.enum(['image-folder', 'kohya', 'hf-imagefolder', 'coco', 'cc3m-tsv', 'prompts']);

export const directoryEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  kind: z.enum(['dir', 'file']),
});

export const listDirectory = {
  input: z.object({ path: path.optional() }).strict(),
  output: z.object({
    path: z.string(),
    parent: z.string().nullable(),
    entries: z.array(directoryEntrySchema),
    imageFiles: z.number().int().nonnegative(),
    truncated: z.boolean(),
  }),
};

const mappingSchema = z.object({ captionColumn: z.string().max(200).optional(), fileColumn: z.string().max(200).optional() });

export const detectDataset = {
  input: z.object({ path }).strict(),
  output: z.object({
    root: z.string(),
    format: datasetFormatSchema,
    reason: z.string(),
    file: z.string().optional(),
    columns: z.array(z.string()).optional(),
    mapping: mappingSchema,
  }),
};

/** Starts an import job (its id comes back; progress and the result arrive as job events). */
export const importDatasetInputSchema = z.object({ path, format: datasetFormatSchema.optional(), captionColumn: z.string().min(1).max(200).optional() }).strict();
export const datasetImportedSchema = z.object({
  datasetId, checked: z.number(), unchanged: z.number(), removed: z.number(),
  /** Every item was checked again: the validation limits changed since the last import. */
  rechecked: z.boolean().default(false),
  /** Files the format left out, by reason (unlisted-image, orphan-caption). */
  dropped: z.record(z.string(), z.number()).default({}),
});

/** Starts a preparation job: VAE latents, text states and prompt embeddings from the model's own encoders. */
export const prepareDatasetInputSchema = z.object({
  datasetId,
  modelDir: path,
  /** Square side in pixels; default the model's (unet sample_size x 8), else 512. */
  resolution: z.number().int().min(64).max(4096).optional(),
  crop: z.enum(['center', 'random']).default('center'),
  flip: z.boolean().default(false),
}).strict();
const tally = z.record(z.string(), z.number());
export const datasetPreparedSchema = z.object({
  items: z.number(),
  resolution: z.number(),
  written: tally,
  reused: tally,
  stale: z.number(),
  /** The cache model ids, and what the prompt embeddings are (recorded for the run). */
  latentModel: z.string(),
  textModel: z.string(),
  promptEncoder: z.string(),
  truncatedCaptions: z.number(),
  longCaptions: z.object({ count: z.number(), window: z.number(), first: z.array(z.object({ key: z.string(), tokens: z.number() })) }).optional(),
});

export const datasetSummarySchema = z.object({
  id: datasetId,
  name: z.string(),
  root: z.string(),
  format: z.string(),
  status: z.string(),
  importedAt: z.string().nullable(),
  /** Files the format left out on the last import, by reason. */
  dropped: z.record(z.string(), z.number()).default({}),
});

export const listDatasets = {
  input: z.object({}).strict(),
  output: z.object({ datasets: z.array(datasetSummarySchema) }),
};

const bin = z.object({ lo: z.number(), hi: z.number().nullable(), count: z.number() });

export const datasetReport = {
  input: z.object({ datasetId }).strict(),
  output: z.object({
    dataset: datasetSummarySchema.extend({ options: z.record(z.string(), z.unknown()) }),
    totals: z.object({
      items: z.number(), images: z.number(), usable: z.number(), repeatedItems: z.number(), distinctImages: z.number(),
      excluded: z.number(), longCaptions: z.number(),
    }),
    categories: z.array(z.object({ category: z.string(), count: z.number(), label: z.string(), severity: z.enum(['ok', 'warning', 'error']) })),
    captionLengths: z.array(bin),
    imageSides: z.array(bin),
  }),
};

export const datasetItemSchema = z.object({
  id: z.number().int(),
  key: z.string(),
  caption: z.string().nullable(),
  captionChars: z.number().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  repeats: z.number(),
  category: z.string(),
  detail: z.string().nullable(),
  hasImage: z.boolean(),
  excluded: z.boolean(),
  captionTokens: z.number().nullable(),
});

/** Filters of the item grid besides report categories: excluded items, captions over the token window. */
export const itemFlagSchema = z.enum(['excluded', 'long-caption']);
export const itemSortSchema = z.enum(['id', 'size', 'caption']);
/** A histogram bar as a filter: caption characters or shorter image side in [lo, hi). */
export const itemBinSchema = z.object({ of: z.enum(['caption', 'side']), lo: z.number().nonnegative(), hi: z.number().nullable() }).strict();

export const datasetItems = {
  input: z
    .object({
      datasetId,
      offset: z.number().int().nonnegative(),
      limit: z.number().int().min(1).max(500),
      category: z.string().max(64).optional(),
      flag: itemFlagSchema.optional(),
      bin: itemBinSchema.optional(),
      /** Matched in captions and file names. */
      search: z.string().max(500).optional(),
      sort: itemSortSchema.default('id'),
      descending: z.boolean().default(false),
    })
    .strict(),
  output: z.object({ total: z.number(), items: z.array(datasetItemSchema) }),
};

export const datasetThumbnails = {
  input: z.object({ datasetId, ids: z.array(z.number().int()).max(64) }).strict(),
  output: z.object({ thumbnails: z.array(z.object({ id: z.number().int(), dataUrl: z.string() })) }),
};

export type DatasetItem = z.infer<typeof datasetItemSchema>;
export type DirectoryEntry = z.infer<typeof directoryEntrySchema>;
