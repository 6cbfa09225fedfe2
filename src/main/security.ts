// Applies the desktop app's security policy (security-policy.ts) to Electron's real objects: every
// web contents the app creates, the default session, and the application menu. Production is a
// packaged app: no DevTools, no reload, no devtools:// requests.
import { app, Menu, session, type MenuItemConstructorOptions } from 'electron';
import { isAppUrl } from './app-origin';
import { hardenContents, hardenSession, menuTemplate } from './security-policy';

/** A packaged build: DevTools off, minimal menu without reload. */
export function isProduction(): boolean {
  return app.isPackaged;
}

/** Call once, before any window exists. */
export function applySecurityPolicy(): void {
  const production = isProduction();
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, production));
  hardenSession(session.defaultSession, production);
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(process.platform, production) as MenuItemConstructorOptions[]));
}

/** True when an IPC message comes from the app's own page (not some other frame or origin). */
export function isTrustedSender(frameUrl: string | undefined): boolean {
  return frameUrl !== undefined && isAppUrl(frameUrl);
}
