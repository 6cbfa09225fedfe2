// What the renderer may assume about its page: the desktop preload's bridge, when present.
import type { StudioApi } from '../shared/studio-api';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the web studio. */
    readonly studio?: StudioApi;
  }
}

export {};
