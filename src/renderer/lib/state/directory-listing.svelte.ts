// A folder listing served by the engine (the files live where the engine runs): the folder shown,
// its subfolders, and the error of the last move. Uses the StudioApi's listDirectory (names only).
// The newest `open` wins: an answer to an older one (the home folder listed on mount, answering
// after the folder the user typed) is dropped, never shown.
import type { ErrorInfo } from '../../../shared/result';
import type { StudioApi, StudioOutput } from '../../../shared/studio-api';

export class DirectoryListing {
  listing = $state<StudioOutput<'listDirectory'> | undefined>(undefined);
  error = $state<ErrorInfo | undefined>(undefined);
  loading = $state(false);
  /** The path in the box: kept here, not in the component, so a re-mounted browser keeps what was typed. */
  draft = $state('');
  /** The user is in the box (focused or typed) since the last submit or move (plain: effects must not track it). */
  edited = false;

  readonly folders = $derived(this.listing?.entries.filter((e) => e.kind === 'dir') ?? []);

  #latest = 0;

  constructor(private readonly api: StudioApi) {}

  /** Lists `path` (the engine's home folder when absent); keeps the last listing on failure; false when it failed or a later open superseded it. */
  async open(path?: string): Promise<boolean> {
    const ticket = ++this.#latest;
    this.loading = true;
    const result = await this.api.listDirectory(path === undefined ? {} : { path });
    if (ticket !== this.#latest) return false;
    this.loading = false;
    if (!result.ok) {
      this.error = result.error;
      return false;
    }
    this.error = undefined;
    this.listing = result.value;
    return true;
  }
}
