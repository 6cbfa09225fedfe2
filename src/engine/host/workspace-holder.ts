// Opens the workspace on first use and keeps it open, so a workspace that cannot be opened becomes
// an error value on each request (retried next time) instead of a host that never starts.
import { openWorkspace, type Workspace } from '../store/workspace';

export class WorkspaceHolder {
  #workspace: Workspace | undefined;

  constructor(private readonly dir: string | undefined) {}

  get(): Workspace {
    this.#workspace ??= openWorkspace(this.dir);
    return this.#workspace;
  }

  close(): void {
    this.#workspace?.close();
    this.#workspace = undefined;
  }
}
