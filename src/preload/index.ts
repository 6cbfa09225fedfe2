// Preload: binds the StudioApi to Electron IPC and exposes it as `window.studio`, plus one desktop
// helper, `window.studioDesktop.pathForFile`, which names a file or folder dropped onto the window
// (the renderer sends that path back through the validated StudioApi, never reads it itself).
// One channel carries every request and one every event; main validates both directions.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { StudioEventListener } from '../shared/studio-api';
import { bindStudioApi } from '../shared/studio-client';
import { STUDIO_IPC } from '../shared/studio-wire';

const studio = bindStudioApi(
  (method, input) => ipcRenderer.invoke(STUDIO_IPC.request, method, input),
  (listener: StudioEventListener) => {
    const forward = (_event: IpcRendererEvent, payload: Parameters<StudioEventListener>[0]) => listener(payload);
    ipcRenderer.on(STUDIO_IPC.event, forward);
    return () => {
      ipcRenderer.removeListener(STUDIO_IPC.event, forward);
    };
  },
);

type DroppedFile = Parameters<typeof webUtils.getPathForFile>[0];

contextBridge.exposeInMainWorld('studio', studio);
contextBridge.exposeInMainWorld('studioDesktop', Object.freeze({ pathForFile: (file: DroppedFile): string => webUtils.getPathForFile(file) }));
