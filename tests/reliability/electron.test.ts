// Issue 13.7: the desktop app's hardening, checked without the Electron binary. The packaging
// config is validated by the pinned electron-builder's own schema check and sets every fuse; main
// never forks a Node child (RunAsNode is off, so fork would not work: the engine host is a utility
// process); the security policy's handlers are driven through real event emitters: navigation of any
// frame away from the app, redirects, new windows, webviews, permissions, devices and display capture
// are refused, and a production build has no DevTools (window, requests, menu).
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppUrl } from '../../src/main/app-origin';
import { hardenContents, hardenSession, menuTemplate, requestAllowed, studioWebPreferences, type MenuItemSpec } from '../../src/main/security-policy';

const root = join(import.meta.dirname, '..', '..');
const require = createRequire(join(root, 'package.json'));
const config = JSON.parse(readFileSync(join(root, 'electron-builder.json'), 'utf8')) as Record<string, unknown> & { electronFuses: Record<string, boolean> };

async function validate(candidate: unknown): Promise<void> {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration(c: unknown, logger: unknown): Promise<void> };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  await validateConfiguration(candidate, new DebugLogger(false));
}

describe('packaging config (13.7)', () => {
  it('pins electron-builder exactly and passes its own configuration check', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies['electron-builder']).toMatch(/^\d+\.\d+\.\d+$/);
    await expect(validate(config)).resolves.toBeUndefined();
    await expect(validate({ ...config, electronFuses: { ...config.electronFuses, runAsNodeTypo: false } })).rejects.toThrow(/electronFuses/);
  });

  it('turns RunAsNode, NODE_OPTIONS and --inspect off, cookie encryption, asar integrity and asar-only loading on', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/*.node', 'node_modules/onnxruntime-node/**', 'node_modules/sharp/**']));
  });

  it('main never forks a Node child (RunAsNode off would break it)', () => {
    for (const name of readdirSync(join(root, 'src/main'))) {
      const source = readFileSync(join(root, 'src/main', name), 'utf8');
      expect([name, /node:child_process|['"]child_process['"]|process\.fork\(/.test(source)]).toEqual([name, false]);
    }
  });
});

/** Listeners registered through `on`, fired by `emit` (Node's EventEmitter underneath). */
class Emitter {
  readonly #events = new EventEmitter();
  on(event: string, listener: (...args: never[]) => void): this {
    this.#events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }
  emit(event: string, ...args: unknown[]): boolean {
    return this.#events.emit(event, ...args);
  }
}

/** The WebContents methods the policy uses. */
class Contents extends Emitter {
  openHandler?: (details: { url: string }) => { action: 'deny' };
  devToolsClosed = 0;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  closeDevTools(): void {
    this.devToolsClosed++;
  }
}

class Session extends Emitter {
  permission?: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;
  check?: () => boolean;
  device?: () => boolean;
  display?: (request: unknown, callback: (streams: Record<string, never>) => void) => void;
  beforeRequest?: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void;
  readonly webRequest = { onBeforeRequest: (l: NonNullable<Session['beforeRequest']>) => void (this.beforeRequest = l) };
  setPermissionRequestHandler(h: NonNullable<Session['permission']>): void { this.permission = h; }
  setPermissionCheckHandler(h: () => boolean): void { this.check = h; }
  setDevicePermissionHandler(h: () => boolean): void { this.device = h; }
  setDisplayMediaRequestHandler(h: NonNullable<Session['display']>): void { this.display = h; }
}

function navEvent(url?: string): { url?: string; prevented: boolean; preventDefault(): void } {
  return { ...(url ? { url } : {}), prevented: false, preventDefault() { this.prevented = true; } };
}

const roles = (items: readonly MenuItemSpec[]): string[] => items.flatMap((i) => [...(i.role ? [i.role] : []), ...roles(i.submenu ?? [])]);

describe('security policy (13.7)', () => {
  it('knows the app by scheme and host (Node gives custom schemes the origin "null")', () => {
    expect(['studio://app/index.html', 'studio://app/assets/x.js'].map(isAppUrl)).toEqual([true, true]);
    expect(['studio://evil/index.html', 'studio://user@app/', 'https://app/', 'file:///etc/passwd', 'not a url'].map(isAppUrl)).toEqual([false, false, false, false, false]);
  });

  it('keeps every frame in the app: navigation, frame navigation and redirects out are prevented', () => {
    const contents = new Contents();
    hardenContents(contents, true);
    for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      const out = navEvent('https://evil.example/');
      contents.emit(name, out, 'https://evil.example/');
      const inside = navEvent('studio://app/index.html');
      contents.emit(name, inside, 'studio://app/index.html');
      expect([name, out.prevented, inside.prevented]).toEqual([name, true, false]);
    }
    const frame = navEvent('javascript:alert(1)');
    contents.emit('will-frame-navigate', frame);
    expect(frame.prevented).toBe(true);
    const webview = navEvent();
    contents.emit('will-attach-webview', webview);
    expect(webview.prevented).toBe(true);
    expect(contents.openHandler?.({ url: 'studio://app/index.html' })).toEqual({ action: 'deny' });
  });

  it('cancels Bluetooth device picking and closes DevTools in production only', () => {
    const production = new Contents();
    hardenContents(production, true);
    const picked: string[] = [];
    const bt = navEvent();
    production.emit('select-bluetooth-device', bt, [{ deviceId: 'x' }], (id: string) => picked.push(id));
    expect([bt.prevented, picked]).toEqual([true, ['']]);
    production.emit('devtools-opened');
    const development = new Contents();
    hardenContents(development, false);
    development.emit('devtools-opened');
    expect([production.devToolsClosed, development.devToolsClosed]).toEqual([1, 0]);
  });

  it('denies every permission, device and display-capture request, and requests off the app', () => {
    const session = new Session();
    hardenSession(session, true);
    const answers: unknown[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'hid', 'serial', 'usb']) session.permission?.({}, permission, (g) => answers.push(g));
    expect(answers).toEqual(Array(7).fill(false));
    expect([session.check?.(), session.device?.()]).toEqual([false, false]);
    session.display?.({}, (streams) => answers.push(streams));
    expect(answers.at(-1)).toEqual({});
    const chosen: unknown[] = [];
    for (const [name, args] of [['select-hid-device', [{}]], ['select-usb-device', [{}]], ['select-serial-port', [[{ portId: 'p' }], {}]]] as const) {
      const e = navEvent();
      session.emit(name, e, ...args, (id?: string) => chosen.push(id));
      expect([name, e.prevented]).toEqual([name, true]);
    }
    expect(chosen).toEqual([undefined, undefined, '']);
    const cancelled = (url: string) => new Promise((resolve) => session.beforeRequest?.({ url }, (r) => resolve(r.cancel)));
    return Promise.all(['studio://app/index.html', 'https://example.com/x.js', 'devtools://devtools/bundled/x.html'].map(cancelled)).then((c) => expect(c).toEqual([false, true, true]));
  });

  it('has no DevTools, reload or DevTools requests in production; development keeps them', () => {
    expect(studioWebPreferences('/p.cjs', true)).toMatchObject({ devTools: false, sandbox: true, contextIsolation: true, nodeIntegration: false, webviewTag: false });
    expect(studioWebPreferences('/p.cjs', false).devTools).toBe(true);
    for (const platform of ['darwin', 'linux', 'win32'] as const) {
      expect(roles(menuTemplate(platform, true))).not.toEqual(expect.arrayContaining(['toggleDevTools']));
      expect(roles(menuTemplate(platform, true))).not.toContain('reload');
      expect(roles(menuTemplate(platform, false))).toContain('toggleDevTools');
      expect(roles(menuTemplate(platform, true))).toEqual(expect.arrayContaining(['copy', 'paste', 'close']));
    }
    expect([requestAllowed('devtools://devtools/x', true), requestAllowed('devtools://devtools/x', false)]).toEqual([false, true]);
  });
});
