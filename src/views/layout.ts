import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Authentication } from '../auth/authenticator.js';
import { FAVICON_DATA_URL } from '../http/favicon.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const STYLE = `
:root { --fg:#1d2330; --muted:#5d6677; --line:#dde2ea; --accent:#2f6fde; --warn:#c2410c; --ok:#15803d; --bg:#f7f8fa; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
header.top { display:flex; gap:16px; align-items:center; padding:10px 20px; background:#fff; border-bottom:1px solid var(--line); }
header.top a { color:var(--fg); text-decoration:none; font-weight:600; }
main { padding:20px; max-width:1200px; margin:0 auto; }
table { border-collapse:collapse; width:100%; background:#fff; }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:600; font-size:12px; text-transform:uppercase; letter-spacing:.03em; }
.card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:14px 16px; margin-bottom:16px; }
.muted { color:var(--muted); }
.badge { display:inline-block; padding:1px 8px; border-radius:999px; font-size:12px; font-weight:600; background:#e8eefb; color:var(--accent); }
.badge.drift, .badge.warn { background:#fdeee6; color:var(--warn); }
.badge.ok { background:#e7f6ec; color:var(--ok); }
kbd { border:1px solid var(--line); border-bottom-width:2px; border-radius:4px; padding:0 5px; font-size:12px; background:#fff; }
button { font:inherit; padding:6px 12px; border-radius:6px; border:1px solid var(--line); background:#fff; cursor:pointer; }
button.primary { background:var(--accent); color:#fff; border-color:var(--accent); }
form.sign-out { display:inline; margin:0; }
form.sign-out button { border:0; padding:0; background:none; color:inherit; font-weight:inherit; }
form.sign-out button:hover { text-decoration:underline; }
`;

/**
 * Sign-out in one click: a POST form (a link could be followed by another site's page), which
 * carries no token since the browser's Origin proves it is this site's (`/ui/sign-out`).
 */
export function signOutButton(label = 'Sign out', opts: { id?: string; style?: string; hidden?: boolean } = {}) {
  return html`<form class="sign-out" method="post" action="/ui/sign-out"${opts.style ? html` style="${opts.style}"` : ''}><button type="submit"${opts.id ? html` id="${opts.id}"` : ''}${opts.hidden ? raw(' hidden') : ''}>${label}</button></form>`;
}

/** How the visitor reached a page (the page guard knows): only a session can sign out. */
export type PageVia = Authentication['via'];

/** The CLI command that creates the first key, which ends open mode. */
export const END_OPEN_MODE_COMMAND = 'npx driftloop keys create --role admin';

/** A page's visitor as its header sees them: how they came, or signed out (a page anyone may see). */
export type HeaderVia = PageVia | 'signed-out';

/**
 * The header's right end: sign-out for a session; in open mode (no key yet, loopback only) a note
 * on how it ends, since there is nothing to sign out of; sign-in for a signed-out visitor on a
 * page anyone may see; nothing for a key, or on the sign-in form itself.
 */
function headerEnd(via: HeaderVia | undefined) {
  if (via === 'session') return signOutButton('Sign out', { style: 'margin-left:auto;color:var(--muted)' });
  if (via === 'signed-out') return html`<a href="/ui/sign-in" class="muted" style="margin-left:auto">Sign in</a>`;
  if (via === 'open') {
    return html`<span id="open-mode" class="muted" style="margin-left:auto;font-size:12px">Open mode on loopback: no API key yet, so every visitor is admin. It ends for good once a key exists: <code>${END_OPEN_MODE_COMMAND}</code></span>`;
  }
  return '';
}

/**
 * The page shell shared by every server-rendered page; `html` escapes every interpolated value.
 * `via`: how the visitor reached the page, which decides the header's end (none: signed out).
 */
export function layout(title: string, body: Html, opts: { script?: string; via?: HeaderVia | undefined } = {}): Html {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · driftloop</title><link rel="icon" type="image/svg+xml" href="${FAVICON_DATA_URL}"><style>${raw(STYLE)}</style></head>
<body>
<header class="top"><a href="/">driftloop</a><a href="/docs" class="muted">API</a>${headerEnd(opts.via)}</header>
<main>${body}</main>
${opts.script ? html`<script type="module">${raw(opts.script)}</script>` : ''}
</body></html>`;
}

/** Serialises data for an inline <script>, safe against `</script>` and friends. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
