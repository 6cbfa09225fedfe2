// The studio window: sandboxed, context-isolated, no Node in the page, the preload's
// `window.studio` as its only bridge, showing the app scheme's index page; no DevTools in production.
import { BrowserWindow } from 'electron';
import { APP_ORIGIN } from './app-protocol';
import { studioWebPreferences } from './security-policy';

export interface MainWindowOptions {
  readonly preload: string;
  readonly icon: string;
  /** A packaged build: DevTools cannot be opened. */
  readonly production: boolean;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'APTP Studio',
    backgroundColor: '#0f1115',
    icon: options.icon,
    webPreferences: studioWebPreferences(options.preload, options.production),
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}
