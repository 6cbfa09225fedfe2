// The engine-served folder browser's state: the folder shown, its subfolders and data files, and
// what the engine detects there. Every listing comes from the StudioApi (the data lives where the
// engine runs); nothing here touches a file.
import type { ErrorInfo } from '../../../shared/result';
import type { StudioApi, StudioOutput } from '../../../shared/studio-api';

export class FolderBrowserState {
  listing = $state<StudioOutput<'listDirectory'> | undefined>(undefined);
  detection = $state<StudioOutput<'detectDataset'> | undefined>(undefined);
  detectionError = $state<ErrorInfo | undefined>(undefined);
  error = $state<ErrorInfo | undefined>(undefined);
  loading = $state(false);

  constructor(private readonly api: StudioApi) {}

  async open(path?: string): Promise<void> {
    this.loading = true;
    const result = await this.api.listDirectory(path === undefined ? {} : { path });
    this.loading = false;
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    this.error = undefined;
    this.listing = result.value;
    await this.detect(result.value.path);
  }

  async detect(path: string): Promise<void> {
    this.detection = undefined;
    this.detectionError = undefined;
    const result = await this.api.detectDataset({ path });
    if (result.ok) this.detection = result.value;
    else this.detectionError = result.error;
  }
}
