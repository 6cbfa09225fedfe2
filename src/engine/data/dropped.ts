// What a format leaves out of a dataset, counted so the report can say so instead of losing it
// silently: image files that no metadata row or annotation names (Hugging Face imagefolder, COCO),
// and caption files with no image beside them (image folders, kohya). One walk of the folder after
// the import; only the names of the dataset's images are held.
import { throwIfCancelled } from '../jobs/job';
import type { DatasetRepository } from '../store/repositories/datasets';
import { CAPTION_EXTENSIONS, extensionOf, isImageName, stemOf } from './sources/common';
import type { DatasetFormat } from './types';
import { walkFiles } from './walk';

/** Reasons a file is dropped, with the words the report uses for each. */
export const DROP_REASONS = {
  'unlisted-image': 'image files no metadata row or annotation names',
  'orphan-caption': 'caption files with no image beside them',
} as const;
export type DropReason = keyof typeof DROP_REASONS;

const isCaptionName = (name: string): boolean => (CAPTION_EXTENSIONS as readonly string[]).includes(extensionOf(name));

/** Counts the files under `root` that the dataset's format did not take in (none for formats without local files). */
export async function countDropped(repo: DatasetRepository, datasetId: string, root: string, format: DatasetFormat, signal: AbortSignal): Promise<Partial<Record<DropReason, number>>> {
  const listed = format === 'hf-imagefolder' || format === 'coco';
  const sidecars = format === 'image-folder' || format === 'kohya';
  if (!listed && !sidecars) return {};
  const images = repo.imagePaths(datasetId);
  const imageStems = new Set([...images].map(stemOf));
  let count = 0;
  for await (const e of walkFiles(root, signal)) {
    throwIfCancelled(signal);
    if (e.kind !== 'file') continue;
    if (listed && isImageName(e.rel) && !images.has(e.rel)) count++;
    if (sidecars && isCaptionName(e.rel) && !imageStems.has(stemOf(e.rel))) count++;
  }
  if (count === 0) return {};
  return listed ? { 'unlisted-image': count } : { 'orphan-caption': count };
}
