// What the renderer may assume about its page: the desktop preload's bridges, when present.
import type { StudioApi } from '../shared/studio-api';
import type { DesktopBridge } from './lib/api/desktop-bridge';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the web studio. */
    readonly studio?: StudioApi;
    /** Set by the Electron preload: paths of dropped files; absent in the web studio. */
    readonly studioDesktop?: DesktopBridge;
  }
}

export {};
