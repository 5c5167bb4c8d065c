import { html } from 'hono/html';
import { layout, type HeaderVia, type PageVia } from './layout.js';

/** The page a page route answers (404) for a model that does not exist: HTML, never the API's JSON error. */
export function modelNotFoundPage(model: string, via: PageVia) {
  return layout('Not found', html`<div class="card"><h1>No model '${model}'</h1><p><a href="/">Back to the dashboard</a></p></div>`, { via });
}

/**
 * The page an unknown path under /ui/ answers (404): a browser shows it, not the API's JSON error.
 * It names the path only, never whether a model in it exists, so it may answer a signed-out visitor.
 */
export function pageNotFoundPage(path: string, via: HeaderVia) {
  return layout('Not found', html`<div class="card"><h1>No page at ${path}</h1><p><a href="/">Back to the dashboard</a></p></div>`, { via });
}
