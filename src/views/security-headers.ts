import { createMiddleware } from 'hono/factory';
import { SECURITY_HEADERS } from '../http/security-headers.js';

/**
 * The policy of this server's pages: nothing loads but inline styles and inputs' images from
 * `imgSrc`, forms post only here, no framing. Pages without scripts (dashboard, report, sign-in)
 * get it as it is, so no script runs at all; `allow` adds a page's own directives (the labeling
 * page's one script and its fetches to this origin).
 */
export function pageCsp(imgSrc: string, allow: readonly string[] = []): string {
  return ["default-src 'none'", ...allow, "style-src 'unsafe-inline'", `img-src ${imgSrc}`, "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"].join('; ');
}

/** The API viewer loads its own script and styles from this server. */
const DOCS_CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * Security headers on every answer (nosniff, no framing, no referrer to other sites), and a
 * Content-Security-Policy on every HTML page that did not set its own (the labeling page sets
 * one that allows exactly its inline script). `imgSrc`: where inputs' images may load from.
 */
export function pageSecurityHeaders(imgSrc: string) {
  const pages = pageCsp(imgSrc);
  const common = createMiddleware(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  const csp = createMiddleware(async (c, next) => {
    await next();
    if (!/^text\/html/i.test(c.res.headers.get('content-type') ?? '') || c.res.headers.has('content-security-policy')) return;
    c.res.headers.set('content-security-policy', c.req.path.startsWith('/docs') ? DOCS_CSP : pages);
  });
  return [common, csp] as const;
}
