// What the pruning trainer reads per prompt: the cached latent distribution (mean then logvar,
// [2C, h, w], sampled with fresh noise each time it is used), the text encoder's states [T, D] the
// UNet attends to, and the prompt embedding [E] the router reads. A source gives items by index;
// `preparedData` (prepared-data.ts) reads them from a prepared dataset, tests build them in memory.
export interface PruneItem {
  readonly latent: Float32Array;
  readonly text: Float32Array;
  readonly embedding: Float32Array;
  readonly caption?: string;
}

export interface PruneData {
  readonly size: number;
  /** [C, h, w] of a sampled latent (the cached distribution is [2C, h, w]). */
  readonly latentShape: readonly [number, number, number];
  /** [T, D] of the text states. */
  readonly textShape: readonly [number, number];
  readonly embedDim: number;
  /** The prepared-cache model id of the prompt embeddings (absent for in-memory data). */
  readonly promptEncoder?: string;
  item(index: number): Promise<PruneItem>;
}

/** A source over items held in memory (tests, the built-in demo). */
export function memoryData(items: readonly PruneItem[], latentShape: readonly [number, number, number], textShape: readonly [number, number]): PruneData {
  const first = items[0];
  return {
    size: items.length,
    latentShape,
    textShape,
    embedDim: first?.embedding.length ?? 0,
    item: (i) => Promise.resolve(items[i] ?? items[0] as PruneItem),
  };
}
