import { Hono } from 'hono';

/** driftloop's icon: a drifting line on the pages' accent colour. */
const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2f6fde"/>' +
  '<path d="M6 20c4-8 7-8 10-3s6 5 10-3" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>';

/** The icon inline, for a page's `<link rel="icon">`: no request at all (the pages' CSP allows `data:` images). */
export const FAVICON_DATA_URL = `data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}`;

/**
 * `/favicon.ico`, which browsers ask for on any page that declares no icon (the API viewer, a JSON
 * answer opened in a tab): the same icon, cached for a day, instead of a JSON 404 in logs and metrics.
 */
export function faviconRoutes() {
  return new Hono().get('/favicon.ico', (c) => c.body(FAVICON_SVG, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' }));
}
