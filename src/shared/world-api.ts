// The built-in world's part of the StudioApi: where the shipped world model is (or, until one is
// shipped, why there is none and how to make it), and "Use the built-in world dataset": the engine
// renders world scenes into the workspace and starts an importDataset run on them (minSide 64: world
// images are 64x64), so the Dataset view follows it like any import. Contracts only.
import { z } from 'zod';

export const builtInWorld = {
  input: z.object({}).strict(),
  output: z.object({
    /** The trained world model's diffusers folder, or null when none is shipped. */
    modelDir: z.string().nullable(),
    /** Why there is no model and what to do (null when there is one). */
    missing: z.string().nullable(),
  }),
};

export const importBuiltInWorld = {
  input: z.object({ size: z.number().int().min(100).max(100_000).default(500) }).strict(),
  output: z.object({ jobId: z.string() }),
};
