import { html } from 'hono/html';
import { layout } from './layout.js';

/** The page a page route answers (404) for a model that does not exist: HTML, never the API's JSON error. */
export function modelNotFoundPage(model: string) {
  return layout('Not found', html`<div class="card"><h1>No model '${model}'</h1><p><a href="/">Back to the dashboard</a></p></div>`);
}
