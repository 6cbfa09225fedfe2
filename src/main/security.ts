// Hardening of every web contents the app creates: no navigation away from the app, no new
// windows, no webviews, every permission request denied, no remote content.
import { app, session, type WebContents } from 'electron';
import { APP_ORIGIN } from './app-protocol';

function isAppUrl(url: string): boolean {
  try {
    return new URL(url).origin === APP_ORIGIN;
  } catch {
    return false;
  }
}

function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Call once, before any window exists. */
export function applySecurityPolicy(): void {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = details.url.startsWith(`${APP_ORIGIN}/`) || details.url.startsWith('devtools://');
    callback({ cancel: !allowed });
  });
}

/** True when an IPC message comes from the app's own page (not some other frame or origin). */
export function isTrustedSender(frameUrl: string | undefined): boolean {
  return frameUrl !== undefined && isAppUrl(frameUrl);
}
