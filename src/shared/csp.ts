// The studio's Content-Security-Policy: nothing remote, no inline script or style, no eval. The
// renderer's index.html carries the same policy (minus header-only directives) as a meta tag.
export function studioContentSecurityPolicy(extraConnectSources: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...extraConnectSources].join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
