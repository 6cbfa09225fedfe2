// The StudioApi's IPC edge in main: every request is checked (sender is the app's own page, method
// and input match the shared schemas) before it is forwarded to the engine host; events from the
// host go to every window on the one event channel.
import { BrowserWindow, ipcMain } from 'electron';
import { fail } from '../shared/result';
import type { StudioEvent } from '../shared/studio-api';
import { parseRequest } from '../shared/studio-validate';
import { STUDIO_IPC } from '../shared/studio-wire';
import type { EngineHost } from './engine-host';
import { isTrustedSender } from './security';

export function registerStudioIpc(host: EngineHost): void {
  ipcMain.handle(STUDIO_IPC.request, (event, method: unknown, input: unknown) => {
    if (!isTrustedSender(event.senderFrame?.url)) {
      return fail('forbidden', 'Only the studio window may call the engine.');
    }
    const request = parseRequest(method, input);
    return request.ok ? host.call(request.value.method, request.value.input) : request;
  });
}

export function sendStudioEvent(event: StudioEvent): void {
  for (const window of BrowserWindow.getAllWindows()) window.webContents.send(STUDIO_IPC.event, event);
}
