// The app's own origin: the `studio://app/` scheme the renderer is served from (app-protocol.ts).
// Kept apart from the protocol code so the security policy can be checked without Electron.
export const APP_SCHEME = 'studio';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

/**
 * True for a URL of the app's own pages. Compares scheme and host, not `origin`: Node's URL (the
 * one main runs) gives every non-special scheme the origin "null", whatever Chromium registered.
 */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === 'app' && u.username === '' && u.password === '' && u.port === '';
  } catch {
    return false;
  }
}
