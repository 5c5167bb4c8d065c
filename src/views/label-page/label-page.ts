import { createHash } from 'node:crypto';
import { html, raw } from 'hono/html';
import { jsonForScript, layout, signOutButton, type PageVia } from '../layout.js';
import { labelPageScript } from './label-page.bundle.js';
import { pageCsp } from '../security-headers.js';

/** What the page shell tells its script; no model data, which the script fetches with the labeler's key. */
export interface LabelPageConfig {
  model: string;
  /** The signed-in labeler (a `label` key is one labeler), or null when an admin or open mode may name anyone. */
  labeler: string | null;
  /** The visitor came with a session, which the page's own sign-out button ends (a key or open mode has none). */
  signOut: boolean;
}

const STYLE = `
[hidden] { display:none !important; }
.lp-head { display:flex; justify-content:space-between; align-items:flex-end; gap:16px; margin-bottom:16px; flex-wrap:wrap; }
.lp-head h1 { margin:0; font-size:20px; }
.lp-progress { display:flex; gap:10px; align-items:stretch; }
.lp-stat { background:#fff; border:1px solid var(--line); border-radius:8px; padding:6px 14px; min-width:96px; }
.lp-stat b { display:block; font-size:20px; line-height:1.2; }
.lp-stat span { color:var(--muted); font-size:12px; }
.lp-grid { display:grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap:16px; }
.lp-grid > .card { margin-bottom:0; }
.lp-row { display:grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap:16px; margin-top:16px; }
.lp-row > .card { margin-bottom:0; }
.lp-title { font-size:12px; font-weight:600; color:var(--muted); text-transform:uppercase; letter-spacing:.04em; margin:0 0 10px; }
.lp-input { display:flex; align-items:center; justify-content:center; background:#f0f2f6; border-radius:6px; min-height:300px; overflow:hidden; }
.lp-input img { max-width:100%; height:360px; object-fit:contain; display:block; }
.lp-input blockquote { margin:0; padding:18px 22px; font-size:17px; line-height:1.5; background:#fff; border-left:4px solid var(--accent); white-space:pre-wrap; overflow-wrap:anywhere; align-self:stretch; width:100%; }
.lp-meta { margin-top:8px; display:flex; gap:14px; flex-wrap:wrap; color:var(--muted); font-size:12px; }
.lp-choices { list-style:none; padding:0; margin:0; display:flex; flex-direction:column; gap:6px; }
.lp-choice { display:flex; gap:10px; align-items:flex-start; padding:8px 10px; border:1px solid var(--line); border-radius:6px; cursor:pointer; background:#fff; }
.lp-choice:hover { border-color:#b8c4d8; }
.lp-choice.on { border-color:var(--accent); background:#eef3fd; box-shadow:inset 3px 0 0 var(--accent); }
.lp-choice .name { font-weight:600; }
.lp-choice .desc { color:var(--muted); font-size:12px; }
.lp-choice kbd { min-width:20px; text-align:center; }
.lp-choice.predicted .name::after { content:"predicted"; margin-left:8px; font-size:11px; font-weight:600; color:var(--accent); background:#e8eefb; border-radius:999px; padding:0 7px; }
.lp-actions { display:grid; grid-template-columns:repeat(3, auto); justify-content:start; gap:8px; margin-top:12px; }
.lp-actions button { padding:6px 10px; }
button.primary kbd { background:transparent; color:#fff; border-color:rgba(255,255,255,.6); }
.lp-actions button.on { border-color:var(--warn); color:var(--warn); background:#fdeee6; }
.lp-submit { margin-top:12px; display:flex; align-items:center; gap:10px; }
.lp-submit .hint { color:var(--muted); font-size:12px; }
.lp-new { margin-top:10px; display:flex; gap:8px; }
.lp-new input, .lp-setup input { font:inherit; padding:6px 10px; border:1px solid var(--line); border-radius:6px; flex:1; }
.lp-bars { display:flex; flex-direction:column; gap:6px; }
.lp-bar { display:grid; grid-template-columns: 110px 1fr 48px; gap:8px; align-items:center; font-size:13px; }
.lp-bar .track { position:relative; height:10px; background:#edf0f5; border-radius:5px; overflow:hidden; }
.lp-bar .fill { position:absolute; inset:0 auto 0 0; background:#9db7ea; border-radius:5px; }
.lp-bar.top .fill { background:var(--accent); }
.lp-bar .mark { position:absolute; top:-2px; bottom:-2px; width:2px; background:var(--fg); opacity:.5; }
.lp-bar .v { text-align:right; font-variant-numeric:tabular-nums; color:var(--muted); }
.lp-reasons { display:flex; flex-direction:column; gap:6px; margin-top:14px; }
.lp-reason { display:flex; gap:8px; align-items:baseline; font-size:13px; }
.lp-dict { display:flex; flex-direction:column; gap:12px; }
.lp-dict h3 { margin:0 0 2px; font-size:14px; }
.lp-dict p { margin:0 0 4px; }
.lp-dict ul { margin:2px 0 0; padding-left:0; list-style:none; font-size:13px; }
.lp-dict li.inc::before { content:"✓ "; color:var(--ok); font-weight:700; }
.lp-dict li.exc::before { content:"✕ "; color:var(--warn); font-weight:700; }
.lp-neighbors { display:grid; grid-template-columns: repeat(auto-fill, minmax(132px, 1fr)); gap:10px; }
.lp-neighbor { border:1px solid var(--line); border-radius:6px; overflow:hidden; background:#fff; font-size:12px; }
.lp-neighbor .thumb { height:92px; display:flex; align-items:center; justify-content:center; background:#f0f2f6; color:var(--muted); overflow:hidden; }
.lp-neighbor .thumb img { width:100%; height:100%; object-fit:cover; }
.lp-neighbor .thumb q { padding:6px; font-size:11px; overflow:hidden; max-height:100%; }
.lp-neighbor .body { padding:6px 8px; }
.lp-neighbor .id { color:var(--muted); overflow:hidden; text-overflow:ellipsis; white-space:nowrap; margin-top:3px; }
.lp-neighbor .dist { color:var(--muted); font-variant-numeric:tabular-nums; }
.lp-keys { margin-top:16px; color:var(--muted); font-size:12px; display:flex; gap:16px; flex-wrap:wrap; }
.lp-lease { margin:16px 0 0; padding-top:10px; border-top:1px solid var(--line); color:var(--muted); font-size:12px; }
.lp-setup { max-width:420px; }
.lp-setup label { display:block; margin:10px 0 4px; font-weight:600; }
.lp-setup .row { display:flex; }
.lp-notice { padding:10px 14px; border-radius:6px; margin-bottom:12px; background:#e8eefb; color:var(--accent); }
.lp-notice.error { background:#fdeee6; color:var(--warn); }
.lp-notice.ok { background:#e7f6ec; color:var(--ok); }
.lp-notice.busy { background:#fff7e6; color:#7a5200; }
.lp-empty { text-align:center; padding:48px 16px; }
.lp-region select { font:inherit; font-size:13px; padding:2px 4px; border:1px solid var(--line); border-radius:6px; max-width:380px; display:block; margin-top:2px; }
.lp-bulk-grid { display:grid; grid-template-columns:repeat(auto-fill, minmax(120px, 1fr)); gap:10px; margin:10px 0; }
.lp-tile { position:relative; border:2px solid var(--line); border-radius:8px; overflow:hidden; background:#fff; cursor:pointer; padding:0; text-align:left; font:inherit; }
.lp-tile.on { border-color:var(--accent); box-shadow:0 0 0 2px #c9d8f6; }
.lp-tile .thumb { height:104px; display:flex; align-items:center; justify-content:center; background:#f0f2f6; overflow:hidden; }
.lp-tile .thumb img { width:100%; height:100%; object-fit:cover; }
.lp-tile .thumb q { padding:6px; font-size:11px; }
.lp-tile .cap { display:flex; justify-content:space-between; padding:4px 6px; font-size:11px; color:var(--muted); }
.lp-tile kbd { position:absolute; top:4px; left:4px; background:#fff; }
.lp-tile.on::after { content:"✓"; position:absolute; top:4px; right:6px; color:var(--accent); font-weight:700; }
.lp-undo { display:flex; gap:10px; align-items:center; padding:8px 14px; border-radius:6px; margin-bottom:12px; background:#fff7e6; border:1px solid #f3d9a4; }
@media (max-width: 860px) { .lp-grid, .lp-row { grid-template-columns: 1fr; } }
`;

/**
 * Content-Security-Policy of the page: only its own inline script runs; data is fetched from
 * this origin; inputs' images load from `imgSrc` (DRIFTLOOP_INPUT_ORIGINS, `InputOrigins.imgSrc`).
 * Built once per app, on its first page (`labelPageRoutes`).
 */
export function labelPageCsp(imgSrc: string): string {
  return pageCsp(imgSrc, [`script-src 'sha256-${createHash('sha256').update(labelPageScript()).digest('base64')}'`, "connect-src 'self'"]);
}

/** The labeling page shell: static markup the inline script fills from the JSON API. */
export function labelPage(config: LabelPageConfig, via: PageVia) {
  const script = labelPageScript();
  return layout(
    `Label ${config.model}`,
    html`<style>
        ${raw(STYLE)}
      </style>
      <script type="application/json" id="label-config">
        ${raw(jsonForScript(config))}
      </script>
      <div class="lp-head">
        <div>
          <h1>Label · ${config.model}</h1>
          <div class="muted" id="lp-subtitle">Review queue</div>
        </div>
        <div class="lp-progress">
          <div class="lp-stat"><b id="lp-done">–</b><span>done today</span></div>
          <div class="lp-stat"><b id="lp-remaining">–</b><span>remaining</span></div>
          <div class="lp-stat lp-region"><span>region</span><select id="lp-region" aria-label="region"><option value="">All regions, highest priority first</option></select></div>
          <div class="lp-stat"><b id="lp-labeler">–</b><span><a href="#" id="lp-change">change labeler</a>${signOutButton('sign out', { id: 'lp-sign-out', hidden: true })}</span></div>
        </div>
      </div>
      <div id="lp-notice" class="lp-notice" role="status" hidden></div>
      <div id="lp-busy" class="lp-notice busy" role="status" hidden></div>
      <div id="lp-undo" class="lp-undo" hidden><span id="lp-undo-text"></span><button type="button" id="lp-undo-button"><kbd>z</kbd> Undo</button></div>
      <section id="lp-bulk" class="card" hidden>
        <div class="lp-title">Same answer for these? <span id="lp-bulk-answer"></span></div>
        <p class="muted small" style="margin:0">The nearest items still waiting. Select those that are also <b id="lp-bulk-answer-2"></b> (click, or <kbd>1</kbd>–<kbd>9</kbd>; <kbd>a</kbd> all), then <kbd>Enter</kbd> to label them at once; <kbd>Esc</kbd> for none.</p>
        <div class="lp-bulk-grid" id="lp-bulk-grid"></div>
        <div class="lp-submit"><button type="button" class="primary" id="lp-bulk-confirm">Label selected <kbd>Enter</kbd></button><button type="button" id="lp-bulk-skip">None of them <kbd>Esc</kbd></button></div>
      </section>
      <form id="lp-setup" class="card lp-setup" hidden>
        <div class="lp-title">Who is labeling?</div>
        <label for="lp-name">Your name</label>
        <div class="row"><input id="lp-name" name="labeler" autocomplete="username" maxlength="128" required /></div>
        <div class="lp-submit"><button class="primary" type="submit">Start labeling</button></div>
      </form>
      <div id="lp-empty" class="card lp-empty" hidden>
        <h2>Nothing to label right now</h2>
        <p class="muted">Every queued item is labeled, leased to someone else or skipped by you. The page checks again within 15 to 22.5 seconds.</p>
        <button type="button" id="lp-recheck">Check now</button>
      </div>
      <div id="lp-work" hidden>
        <div class="lp-grid">
          <section class="card">
            <div class="lp-title">Production input</div>
            <div class="lp-input" id="lp-input"></div>
            <div class="lp-meta" id="lp-meta"></div>
          </section>
          <section class="card">
            <div class="lp-title">Your answer</div>
            <ol class="lp-choices" id="lp-choices"></ol>
            <div class="lp-new" id="lp-new" hidden>
              <input id="lp-new-name" maxlength="128" placeholder="New concept name, Enter to submit, Esc to cancel" />
            </div>
            <div class="lp-actions">
              <button type="button" id="lp-none"><kbd>u</kbd> None of these / new</button>
              <button type="button" id="lp-oos"><kbd>o</kbd> Out of scope</button>
              <button type="button" id="lp-skip"><kbd>s</kbd> Skip</button>
            </div>
            <div class="lp-submit">
              <button type="button" class="primary" id="lp-submit">Submit <kbd>Enter</kbd></button>
              <span class="hint" id="lp-hint"></span>
            </div>
            <p class="lp-lease" id="lp-lease"></p>
          </section>
        </div>
        <div class="lp-row">
          <section class="card">
            <div class="lp-title">What the model said</div>
            <div class="lp-bars" id="lp-scores"></div>
            <div class="lp-reasons" id="lp-reasons"></div>
          </section>
          <section class="card">
            <div class="lp-title">Visual dictionary</div>
            <div class="lp-dict" id="lp-dict"></div>
          </section>
        </div>
        <section class="card" style="margin-top:16px">
          <div class="lp-title">Nearest training examples</div>
          <div class="lp-neighbors" id="lp-neighbors"></div>
        </section>
      </div>
      <div class="lp-keys">
        <span><kbd>1</kbd>–<kbd>9</kbd>, <kbd>0</kbd> pick a concept</span><span><kbd>u</kbd> none of these / new concept</span>
        <span><kbd>o</kbd> out of scope</span><span><kbd>s</kbd> skip</span><span><kbd>Enter</kbd> submit</span><span><kbd>z</kbd> undo a bulk label</span>
      </div>`,
    { script, via },
  );
}
