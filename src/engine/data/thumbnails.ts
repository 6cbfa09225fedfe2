// Thumbnails of dataset images, made while validating (the decode that proves an image is whole
// also shrinks it) and stored in the workspace by content hash: identical images share one file,
// and the user's folder is never written. Written to a temporary name, then renamed.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempPathFor } from './temp-files';

const HASH = /^[0-9a-f]{64}$/;

export class ThumbnailStore {
  constructor(readonly dir: string) {}

  static forWorkspace(workspaceDir: string): ThumbnailStore {
    return new ThumbnailStore(join(workspaceDir, 'caches', 'thumbnails'));
  }

  pathOf(contentHash: string): string {
    if (!HASH.test(contentHash)) throw new Error(`not a content hash: ${contentHash}`);
    return join(this.dir, contentHash.slice(0, 2), `${contentHash}.webp`);
  }

  async put(contentHash: string, webp: Uint8Array): Promise<void> {
    const path = this.pathOf(contentHash);
    if (existsSync(path)) return;
    await mkdir(join(this.dir, contentHash.slice(0, 2)), { recursive: true });
    const temp = tempPathFor(path);
    await writeFile(temp, webp);
    await rename(temp, path);
  }

  /** The thumbnail's bytes, or undefined when none was made (the image did not decode). */
  async get(contentHash: string): Promise<Buffer | undefined> {
    return readFile(this.pathOf(contentHash)).catch(() => undefined);
  }
}
