// The prompt-map projection: a dataset's prompt embeddings in 2-D, cached in the workspace.
export { datasetProjection, normaliseLayout, projectionParamsJson, PROJECTION_METHOD, type DatasetProjection } from './project';
export { loadPromptEmbeddings, promptEmbeddingsHash, type EmbeddingMatrix } from './embeddings';
export { DEFAULT_UMAP, seededRandom, umapLayout, type UmapParams } from './umap';
export { knnOverlap, trustworthiness } from './quality';
