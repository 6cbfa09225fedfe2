// The Routing view's part of the StudioApi: the routed runs there are, a run's prompt map (every
// prompt of its dataset placed in 2-D, with the expert it is routed to and the routing margin),
// its experts (MACs against the base, kept architecture per UNet block), an expert's prompts ranked
// by margin, and the "expensive prompts" (highest-capacity expert first) with the words that most
// separate the costliest expert's prompts from the cheapest's. Points travel as columns (one array
// per field) so that 100,000 of them stay cheap to validate and to hand to the GPU. Contracts only.
import { z } from 'zod';

const runId = z.string().min(1).max(200);
const count = z.number().int().nonnegative();

export const keptCountSchema = z.object({ kept: count, total: count });

export const blockArchitectureSchema = z.object({
  block: z.string(),
  resnetGroups: keptCountSchema,
  heads: keptCountSchema,
  ffGroups: keptCountSchema,
  droppedUnits: z.array(z.string()),
});

export const expertSummarySchema = z.object({
  id: count,
  macs: z.number().nonnegative(),
  /** The expert's MACs over the base UNet's, in [0, 1]. */
  macsShare: z.number().nonnegative(),
  /** Prompts routed to it. */
  prompts: count,
  blocks: z.array(blockArchitectureSchema),
});

export const routedRunSchema = z.object({
  runId: z.string(),
  status: z.string(),
  datasetId: z.string(),
  datasetName: z.string(),
  experts: count,
  assigned: count,
  updatedAt: z.string(),
});

export const routingRuns = {
  input: z.object({}).strict(),
  output: z.object({ runs: z.array(routedRunSchema) }),
};

/** Column i of every array is one prompt. `expert` and `margin` are null for a prompt not routed yet. */
export const mapPointsSchema = z
  .object({
    itemId: z.array(z.number().int()),
    x: z.array(z.number()),
    y: z.array(z.number()),
    expert: z.array(count.nullable()),
    margin: z.array(z.number().nullable()),
    prompt: z.array(z.string()),
  })
  .refine((p) => [p.x, p.y, p.expert, p.margin, p.prompt].every((c) => c.length === p.itemId.length), { message: 'every point column must have one entry per item' });

export const routingMap = {
  input: z.object({ runId }).strict(),
  output: z.object({
    runId: z.string(),
    datasetId: z.string(),
    baseMacs: z.number().positive(),
    projection: z.object({ method: z.string(), params: z.string(), cached: z.boolean() }),
    points: mapPointsSchema,
    experts: z.array(expertSummarySchema),
  }),
};

export const rankedPromptSchema = z.object({ itemId: z.number().int(), expert: count, prompt: z.string(), margin: z.number() });

export const expertPrompts = {
  input: z.object({ runId, expert: count, offset: count.default(0), limit: z.number().int().min(1).max(500).default(50) }).strict(),
  output: z.object({ total: count, prompts: z.array(rankedPromptSchema) }),
};

export const separatingWordSchema = z.object({
  word: z.string(),
  /** Share of the costliest expert's prompts that contain the word, and of the cheapest's. */
  expensiveShare: z.number(),
  cheapShare: z.number(),
  /** Smoothed log-odds z-score: positive words mark the costly expert, negative the cheap one. */
  score: z.number(),
});

export const expensivePrompts = {
  input: z.object({ runId, limit: z.number().int().min(1).max(500).default(50), words: z.number().int().min(1).max(100).default(12) }).strict(),
  output: z.object({
    expensiveExpert: count,
    cheapExpert: count,
    prompts: z.array(rankedPromptSchema),
    words: z.array(separatingWordSchema),
  }),
};

export type RoutingMap = z.output<typeof routingMap.output>;
export type MapPoints = z.output<typeof mapPointsSchema>;
export type ExpertSummary = z.output<typeof expertSummarySchema>;
export type BlockArchitectureView = z.output<typeof blockArchitectureSchema>;
export type RankedPrompt = z.output<typeof rankedPromptSchema>;
export type SeparatingWord = z.output<typeof separatingWordSchema>;
export type RoutedRunSummary = z.output<typeof routedRunSchema>;
export type ExpensivePrompts = z.output<typeof expensivePrompts.output>;
