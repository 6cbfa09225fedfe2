// Who may talk to the web studio: requests must carry this launch's random token (query string or
// the cookie set on the first authorised page load), name this server as Host, and WebSocket
// upgrades must come from this server's own Origin. Everything else is refused.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export type AuthVerdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

export class WebAuth {
  constructor(
    readonly token: string,
    readonly port: number,
  ) {}

  get cookieName(): string {
    return `aptp_studio_${this.port}`;
  }

  /** The origins this server answers to (the printed URL uses the first). */
  get origins(): string[] {
    return [`http://127.0.0.1:${this.port}`, `http://localhost:${this.port}`];
  }

  setCookieHeader(): string {
    return `${this.cookieName}=${this.token}; Path=/; HttpOnly; SameSite=Strict`;
  }

  check(req: IncomingMessage, url: URL, upgrade: boolean): AuthVerdict {
    const host = req.headers.host ?? '';
    if (!this.origins.includes(`http://${host}`)) return { ok: false, status: 403, reason: 'unknown host' };
    if (upgrade && req.headers.origin !== `http://${host}`) return { ok: false, status: 403, reason: 'foreign origin' };
    if (!this.tokenMatches(url.searchParams.get('token') ?? cookieValue(req, this.cookieName))) {
      return { ok: false, status: 401, reason: 'missing or wrong token' };
    }
    return { ok: true };
  }

  private tokenMatches(candidate: string | undefined): boolean {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
