// The Dataset view's folder choice: the shared DirectoryListing (the folder shown, where the engine
// runs) plus what is dataset-specific: the data file picked in it, what the engine detects in the
// folder or file (format, reason, caption columns), the user's overrides, and the message of the
// last drop. Opening a folder, by the browser or by a drop, detects it; nothing here touches a file.
import { datasetFormatSchema } from '../../../shared/dataset-api';
import type { ErrorInfo } from '../../../shared/result';
import type { StudioApi, StudioInput, StudioOutput } from '../../../shared/studio-api';
import { DirectoryListing } from '../../lib/state/directory-listing.svelte';

export type DatasetFormat = (typeof datasetFormatSchema.options)[number];
/** Every format the engine reads, for the override list. */
export const DATASET_FORMATS: readonly DatasetFormat[] = datasetFormatSchema.options;

export class DatasetFolder extends DirectoryListing {
  readonly #api: StudioApi;
  /** A data file picked in the folder shown (prompts, metadata, TSV), or undefined for the folder. */
  chosen = $state<string | undefined>(undefined);
  detection = $state<StudioOutput<'detectDataset'> | undefined>(undefined);
  detectionError = $state<ErrorInfo | undefined>(undefined);
  /** The folder or file that `detection` (or `detectionError`) is about. */
  detectedPath = $state<string | undefined>(undefined);
  /** '' means the detected one. */
  format = $state<DatasetFormat | ''>('');
  captionColumn = $state('');
  dropMessage = $state<string | undefined>(undefined);
  #latestDetection = 0;

  constructor(api: StudioApi) {
    super(api);
    this.#api = api;
  }

  /** Lists `path` as the browser does, forgets the file and overrides, and detects the folder. */
  override async open(path?: string): Promise<boolean> {
    this.chosen = undefined;
    this.format = '';
    this.captionColumn = '';
    this.dropMessage = undefined;
    const opened = await super.open(path);
    if (opened && this.listing) await this.detect(this.listing.path);
    return opened;
  }

  async pick(file: string): Promise<void> {
    this.chosen = file;
    await this.detect(file);
  }

  /** Detects `path`; the newest detection wins (a folder's, answering after the file picked in it, is dropped). */
  async detect(path: string): Promise<void> {
    const ticket = ++this.#latestDetection;
    this.detection = undefined;
    this.detectionError = undefined;
    this.detectedPath = undefined;
    const result = await this.#api.detectDataset({ path });
    if (ticket !== this.#latestDetection) return;
    this.detectedPath = path;
    if (result.ok) this.detection = result.value;
    else this.detectionError = result.error;
  }

  /** What importing now would ask for: the picked file or the folder shown, with the overrides. */
  get choice(): StudioInput<'importDataset'> | undefined {
    const path = this.chosen ?? this.listing?.path;
    if (!path) return undefined;
    return { path, ...(this.format ? { format: this.format } : {}), ...(this.captionColumn ? { captionColumn: this.captionColumn } : {}) };
  }
}
