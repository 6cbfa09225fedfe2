// What the desktop app allows, as plain functions over small interfaces (so the policy is unit-tested
// without the Electron binary; security.ts hands it Electron's real objects): no navigation of any
// frame away from the app, no redirects out, no new windows, no webviews, every permission and every
// device (HID, serial, USB, Bluetooth) request denied, no display capture, no network but the app's
// scheme, and in production no DevTools.
import { isAppUrl } from './app-origin';

/** A navigation-style event: Electron's `Event` with the url where the listener gets one. */
export interface Preventable {
  preventDefault(): void;
}

type Listener = (event: Preventable, ...args: never[]) => void;

/** The parts of a WebContents the policy touches. */
export interface ContentsLike {
  on(event: string, listener: Listener): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  closeDevTools(): void;
}

/** The parts of a Session the policy touches. */
export interface SessionLike {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  setDevicePermissionHandler(handler: () => boolean): void;
  setDisplayMediaRequestHandler(handler: (request: unknown, callback: (streams: Record<string, never>) => void) => void): void;
  on(event: 'select-hid-device', listener: (event: Preventable, details: unknown, callback: (deviceId?: string | null) => void) => void): unknown;
  on(event: 'select-usb-device', listener: (event: Preventable, details: unknown, callback: (deviceId?: string) => void) => void): unknown;
  on(event: 'select-serial-port', listener: (event: Preventable, ports: unknown, contents: unknown, callback: (portId: string) => void) => void): unknown;
  webRequest: { onBeforeRequest(listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void): void };
}

/** The studio window's web preferences: sandboxed, isolated, no Node, no webviews; no DevTools in production. */
export function studioWebPreferences(preload: string, production: boolean) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    devTools: !production,
  } as const;
}

/** Whether a request may leave the renderer: the app's own scheme, and DevTools outside production. */
export function requestAllowed(url: string, production: boolean): boolean {
  return isAppUrl(url) || (!production && url.startsWith('devtools://'));
}

/** Prevents `event` unless it goes to an app page (navigation, frame navigation, redirect). */
function stayInApp(event: Preventable & { url?: string }, url?: unknown): void {
  const target = typeof url === 'string' ? url : event.url;
  if (typeof target !== 'string' || !isAppUrl(target)) event.preventDefault();
}

/** Hardens one web contents (every one the app creates). */
export function hardenContents(contents: ContentsLike, production: boolean): void {
  contents.on('will-navigate', stayInApp as Listener);
  contents.on('will-frame-navigate', stayInApp as Listener);
  contents.on('will-redirect', stayInApp as Listener);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('select-bluetooth-device', ((event: Preventable, _devices: unknown, callback: (id: string) => void) => {
    event.preventDefault();
    callback('');
  }) as Listener);
  if (production) contents.on('devtools-opened', () => contents.closeDevTools());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Denies every permission, device and display-capture request of `session`, and any request off the app. */
export function hardenSession(session: SessionLike, production: boolean): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback({}));
  const cancel = (event: Preventable, _details: unknown, callback: (id?: string) => void): void => {
    event.preventDefault();
    callback();
  };
  session.on('select-hid-device', cancel);
  session.on('select-usb-device', cancel);
  session.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !requestAllowed(details.url, production) }));
}

/** A menu item as Electron's Menu.buildFromTemplate takes it (the subset used). */
export interface MenuItemSpec {
  readonly label?: string;
  readonly role?: string;
  readonly type?: 'separator';
  readonly submenu?: readonly MenuItemSpec[];
}

/** A minimal menu: app (macOS), Edit (copy and paste in fields), Window; View with reload and DevTools only outside production. */
export function menuTemplate(platform: NodeJS.Platform, production: boolean): MenuItemSpec[] {
  const menu: MenuItemSpec[] = [];
  if (platform === 'darwin') menu.push({ role: 'appMenu', submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { type: 'separator' }, { role: 'quit' }] });
  menu.push({ role: 'editMenu', submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }] });
  if (!production) menu.push({ label: 'Develop', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }] });
  menu.push({ role: 'windowMenu', submenu: [{ role: 'minimize' }, { role: 'close' }] });
  return menu;
}
