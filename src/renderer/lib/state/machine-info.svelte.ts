// What this machine can do, as the engine reports it: loaded through the StudioApi, kept as runes.
import type { MachineInfo } from '../../../shared/machine-info';
import type { ErrorInfo } from '../../../shared/result';
import type { StudioApi } from '../../../shared/studio-api';

export class MachineInfoState {
  info = $state<MachineInfo | undefined>(undefined);
  error = $state<ErrorInfo | undefined>(undefined);
  loading = $state(false);

  readonly usedMemoryBytes = $derived(this.info ? this.info.totalMemoryBytes - this.info.freeMemoryBytes : 0);
  readonly availableProviders = $derived(this.info?.providers.filter((p) => p.available) ?? []);

  constructor(private readonly api: StudioApi) {}

  async refresh(): Promise<void> {
    this.loading = true;
    const result = await this.api.getMachineInfo();
    if (result.ok) {
      this.info = result.value;
      this.error = undefined;
    } else {
      this.error = result.error;
    }
    this.loading = false;
  }
}
