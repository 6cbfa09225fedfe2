// Reads a drop on the Dataset view: the one folder dropped, by the path the desktop preload names
// (Electron's webUtils), or the message to show instead: several items, a file, or the web studio,
// where the browser cannot reveal a dropped folder's path (and the engine may run elsewhere).
import type { DesktopBridge } from '../../lib/api/desktop-bridge';

export type DroppedFolder = { ok: true; path: string } | { ok: false; message: string };

export const WEB_DROP_MESSAGE = 'This browser cannot reveal where a dropped folder is (and the engine may run on another machine). Choose the folder in the folder browser instead.';

/** True when the dropped item is a file: the entry says so, else a file has a type or bytes a folder lacks. */
function isFile(item: DataTransferItem | undefined, file: File): boolean {
  const entry = item?.webkitGetAsEntry?.();
  if (entry) return entry.isFile;
  return file.type !== '' || file.size > 0;
}

export function droppedFolder(data: DataTransfer | null, desktop: DesktopBridge | undefined): DroppedFolder {
  const count = data?.files.length ?? 0;
  if (!desktop) return { ok: false, message: WEB_DROP_MESSAGE };
  const file = data?.files[0];
  if (!data || !file) return { ok: false, message: 'Nothing was dropped that names a folder. Drop one dataset folder.' };
  if (count > 1) return { ok: false, message: `${count} items were dropped. Drop one dataset folder at a time.` };
  if (isFile(data.items[0], file)) {
    return { ok: false, message: `“${file.name}” is a file. Drop the folder that holds your dataset; to import a single data file (prompts, metadata, TSV), pick it in the folder browser.` };
  }
  const path = desktop.pathForFile(file);
  if (!path) return { ok: false, message: `The app could not tell where “${file.name}” is. Choose the folder in the folder browser instead.` };
  return { ok: true, path };
}
