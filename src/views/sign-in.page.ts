import { html } from 'hono/html';
import type { Principal } from '../auth/api-keys.service.js';
import type { Authentication } from '../auth/authenticator.js';
import { END_OPEN_MODE_COMMAND, layout, signOutButton, type PageVia } from './layout.js';

/** The sign-in form: what a page answers without a session. It shows no data of any model. `via`: a session already open. */
export function signInPage(opts: { next: string; error?: string; via?: 'session' | undefined }) {
  return layout(
    'Sign in',
    html`<form class="card" method="post" action="/ui/sign-in" style="max-width:420px" id="sign-in">
<h1 style="margin-top:0;font-size:20px">Sign in</h1>
<p class="muted">Sign in with an API key (role <code>label</code> for the labeling page, <code>admin</code> for every page). The browser keeps a session cookie, not the key.</p>
${opts.error ? html`<p class="badge warn" role="alert" id="sign-in-error">${opts.error}</p>` : ''}
<label for="key" style="display:block;font-weight:600;margin:10px 0 4px">API key</label>
<input id="key" name="key" type="password" autocomplete="current-password" required maxlength="512" style="width:100%;padding:6px 10px;font:inherit">
<input type="hidden" name="next" value="${opts.next}">
<p><button class="primary" type="submit">Sign in</button></p>
</form>`,
    { via: opts.via },
  );
}

/**
 * `/ui/sign-in` while the server runs open: no key exists, so a form could not succeed; it says
 * what is true instead, links the page the visitor was going to, and how open mode ends.
 */
export function openModeSignInPage(next: string) {
  return layout(
    'Sign in',
    html`<div class="card" style="max-width:520px" id="open-mode-sign-in">
<h1 style="margin-top:0;font-size:20px">No sign-in needed</h1>
<p>This server runs open on loopback: no API key exists yet, so every visitor is admin and there is no key to sign in with.</p>
<p><a href="${next}">${next === '/' ? 'Go to the dashboard' : 'Go on to ' + next}</a></p>
<p class="muted">Open mode ends for good once a key exists: create one with <code>${END_OPEN_MODE_COMMAND}</code>, then sign in here with it.</p></div>`,
    { via: 'open' },
  );
}

/** A signed-in key whose role does not open this page (never open mode: it is admin). */
export function forbiddenPage(principal: Principal, needs: string, via: PageVia) {
  return layout(
    'Not allowed',
    html`<div class="card"><h1 style="margin-top:0;font-size:20px">Not allowed</h1>
<p>You are signed in as <strong>${principal.keyName}</strong> (role <code>${principal.role}</code>); this page needs the <code>${needs}</code> role.</p>
${principal.role === 'label' ? html`<p>Your pages: <a href="/ui/label">the labeling pages</a>.</p>` : ''}
${via === 'session' ? html`<div>${signOutButton()} to use another key.</div>` : ''}</div>`,
    { via },
  );
}

/** Sign-out on a page of its own (for a browser that sends no Origin): a form with the session's CSRF token. */
export function signOutPage(principal: Principal, csrfToken: string) {
  return layout(
    'Sign out',
    html`<form class="card" method="post" action="/ui/sign-out" id="sign-out" style="max-width:420px">
<p>Signed in as <strong>${principal.keyName}</strong> (role <code>${principal.role}</code>).</p>
<input type="hidden" name="csrf" value="${csrfToken}">
<button class="primary" type="submit">Sign out</button></form>`,
    { via: 'session' },
  );
}

/** Where a `label` key lands: the labeling pages of every model. */
export function labelerHomePage(a: Authentication, models: string[]) {
  return layout(
    'Labeling',
    html`<div class="card"><h1 style="margin-top:0;font-size:20px">Labeling</h1>
${a.via === 'session' ? html`<div class="muted">Signed in as <strong>${a.principal.keyName}</strong>. ${signOutButton()}</div>` : ''}
<ul>${models.map((m) => html`<li><a href="/ui/models/${encodeURIComponent(m)}/label">${m}</a></li>`)}</ul></div>`,
    { via: a.via },
  );
}
