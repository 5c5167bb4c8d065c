// The labeling page's controller: state, API calls, leases, bulk labeling and the keyboard.
// Bundled by label-page.bundle.ts into the page's one inline script.
import { jitteredWaitMs } from '../../../client/busy-retry.js';
import { failure, modelApi } from './api.js';
import { $, clear, h, inputEl, notice, pct, selectEl } from './dom.js';
import { BulkLabeling } from './bulk.js';
import { busyLine } from './busy.js';
import { renderChoices, renderInput, renderNeighbors, renderScores } from './render.js';
import type { ClaimedItem, LabelBody, PageModel, PageState, Region } from './types.js';

const cfg = JSON.parse($('label-config').textContent ?? '{}') as { model: string; labeler: string | null; signOut: boolean };
const api = modelApi(cfg.model, busyLine());
const params = new URLSearchParams(location.search);
const state: PageState = {
  labeler: (cfg.labeler || params.get('labeler') || localStorage.getItem('driftloop.labeler') || '').trim(),
  model: null, item: null, selected: [], newConcept: null, outOfScope: false, busy: false, renew: undefined, poll: undefined,
  region: params.get('region') || '', regions: [], bulk: null, pending: null,
};
/** After a claim the database refused through every attempt, the page claims again this long later, plus jitter. */
const CLAIM_RETRY_MS = 15_000;
/** The wait before claiming again when the queue had nothing for this labeler, before jitter. */
const EMPTY_POLL_MS = 15_000;
const bulk = new BulkLabeling({ state, api, next: () => next(), refreshProgress: () => refreshProgress(), stopTimers: () => stopTimers() });

// The session ended (expired, signed out or its key revoked): sign in again and come back here.
function signIn(): void {
  location.href = '/ui/sign-in?next=' + encodeURIComponent(location.pathname + location.search);
}

function showSetup(message?: string): void {
  stopTimers();
  $('lp-work').hidden = true;
  $('lp-empty').hidden = true;
  $('lp-setup').hidden = false;
  inputEl('lp-name').value = state.labeler;
  notice(message || '', message ? 'error' : '');
  inputEl('lp-name').focus();
}

$('lp-setup').addEventListener('submit', (e) => {
  e.preventDefault();
  state.labeler = inputEl('lp-name').value.trim();
  if (!state.labeler) return;
  localStorage.setItem('driftloop.labeler', state.labeler);
  $('lp-setup').hidden = true;
  notice('');
  void start();
});
$('lp-change').addEventListener('click', (e) => { e.preventDefault(); showSetup(); });
$('lp-recheck').addEventListener('click', () => void next());

async function start(): Promise<void> {
  $('lp-labeler').textContent = state.labeler;
  try {
    state.model = await api<PageModel>('GET', '');
  } catch (err) {
    const f = failure(err);
    return f.status === 401 ? signIn() : f.status === 403 ? showSetup('Refused: ' + f.message) : notice(f.message, 'error');
  }
  const m = state.model;
  $('lp-subtitle').textContent = m.task + ' · ' + m.concepts.length + ' concepts' + (m.encoder ? ' · ' + m.encoder : '');
  await loadRegions();
  await next();
}

function stopTimers(): void {
  clearInterval(state.renew);
  clearTimeout(state.poll);
  state.renew = state.poll = undefined;
}

async function next(): Promise<void> {
  stopTimers();
  state.item = null;
  try {
    const body: { labeler: string; limit: number; region?: number } = { labeler: state.labeler, limit: 1 };
    if (state.region) body.region = Number(state.region);
    const { items } = await api<{ items: ClaimedItem[] }>('POST', '/queue/claim', body);
    void refreshProgress();
    if (items.length === 0) {
      $('lp-work').hidden = true;
      $('lp-empty').hidden = false;
      // Jittered too: pages that found the queue empty together do not all claim again together.
      state.poll = setTimeout(() => void next(), jitteredWaitMs(EMPTY_POLL_MS, Math.random));
      return;
    }
    render(items[0]!);
  } catch (err) {
    const f = failure(err);
    if (f.status === 401) signIn();
    else if (f.status === 403) showSetup('Refused: ' + f.message);
    else if (f.status === 503) {
      // Jittered like the API calls' own retries: pages refused together do not all claim again together.
      const waitMs = jitteredWaitMs(CLAIM_RETRY_MS, Math.random);
      notice('Could not claim an item: ' + f.message + ' The page tries again in ' + Math.round(waitMs / 1000) + ' seconds.', 'error');
      state.poll = setTimeout(() => void next(), waitMs);
    } else notice('Could not claim an item: ' + f.message, 'error');
  }
}

async function refreshProgress(): Promise<void> {
  try {
    const stats = await api<{ pending: number; labelers: { labeler: string; today: number }[] }>('GET', '/queue');
    const me = stats.labelers.find((l) => l.labeler === state.labeler);
    $('lp-done').textContent = String(me ? me.today : 0);
    $('lp-remaining').textContent = String(stats.pending);
  } catch { /* progress is informative only */ }
  void loadRegions();
}

async function loadRegions(): Promise<void> {
  try {
    state.regions = (await api<{ regions: Region[] }>('GET', '/regions')).regions;
  } catch { return; /* the picker is optional: claims work without it */ }
  const select = selectEl('lp-region');
  const options = state.regions.map((r) => h('option', { value: String(r.id),
    text: 'Region ' + r.id + ' · ' + r.size + ' predictions · est. ' + pct(r.estimatedAccuracy) + ' accurate · ' + r.labeled + ' labeled' }));
  if (state.region && !state.regions.some((r) => String(r.id) === state.region)) {
    options.push(h('option', { value: state.region, text: 'Region ' + state.region + ' (no longer in recent data)' }));
  }
  clear(select, h('option', { value: '', text: 'All regions, highest priority first' }), options);
  select.value = state.region;
}

$('lp-region').addEventListener('change', () => {
  state.region = selectEl('lp-region').value;
  notice(state.region ? 'New items now come from region ' + state.region + '.' : 'New items now come from every region.', 'ok');
  if (!state.item) void next();
});

function render(item: ClaimedItem): void {
  const model = state.model!;
  state.item = item;
  state.selected = [];
  state.newConcept = null;
  state.outOfScope = false;
  $('lp-empty').hidden = true;
  $('lp-work').hidden = false;
  $('lp-work').dataset.itemId = item.itemId;
  $('lp-work').dataset.predictionId = item.predictionId;
  renderInput(item);
  rerenderChoices();
  renderScores(model, item);
  renderNeighbors(item);
  closeNewConcept();
  showLease(item.leaseExpiresAt);
  state.renew = setInterval(() => void renewLease(), Math.max(1000, model.settings.queue.leaseSeconds * 500));
}

function rerenderChoices(): void {
  if (state.model && state.item) renderChoices(state, state.model, state.item, pick);
}

function pick(index: number): void {
  const concept = state.model?.concepts[index];
  if (!concept || !state.item) return;
  state.outOfScope = false;
  if (state.model!.task === 'multiclass') {
    state.selected = [concept.id];
    state.newConcept = null;
  } else {
    state.selected = state.selected.includes(concept.id) ? state.selected.filter((c) => c !== concept.id) : [...state.selected, concept.id];
  }
  rerenderChoices();
}

function closeNewConcept(): void {
  $('lp-new').hidden = true;
  inputEl('lp-new-name').blur();
}

function openNewConcept(): void {
  $('lp-new').hidden = false;
  inputEl('lp-new-name').value = '';
  inputEl('lp-new-name').focus();
}

function toggleOutOfScope(): void {
  state.outOfScope = !state.outOfScope;
  if (state.outOfScope) { state.selected = []; state.newConcept = null; }
  rerenderChoices();
}

async function send(label: LabelBody, message: string): Promise<void> {
  if (state.busy || !state.item) return;
  state.busy = true;
  try {
    bulk.endUndo();
    const answered = state.item;
    await api('POST', '/labels', { labels: [{ itemId: answered.itemId, labeler: state.labeler, concepts: [], ...label }] });
    notice(message, 'ok');
    if (label.skip || label.outOfScope || !(await bulk.offerSimilar(answered, label))) await next();
  } catch (err) {
    const f = failure(err);
    notice('Not saved: ' + f.message + (f.status === 503 ? ' Your answer is still here: send it again.' : ''), 'error');
    if (f.status === 409) await next();
  } finally {
    state.busy = false;
  }
}

function submit(): Promise<void> | undefined {
  const model = state.model;
  if (!model) return undefined;
  if (state.outOfScope) return send({ outOfScope: true }, 'Saved: out of scope.');
  const newConcepts = state.newConcept ? [state.newConcept] : [];
  const chosen = state.selected.length + newConcepts.length;
  if (model.task === 'multiclass' && chosen !== 1) {
    $('lp-hint').textContent = 'Pick one concept with its digit, or press u to name a new one.';
    return undefined;
  }
  if (model.task === 'multilabel' && chosen === 0 && state.newConcept === null) {
    $('lp-hint').textContent = 'Pick the concepts that apply, or press u for none of these.';
    return undefined;
  }
  const what = [...state.selected, ...newConcepts.map((c) => 'new: ' + c)].join(', ') || 'none of these';
  return send({ concepts: state.selected, newConcepts }, 'Saved: ' + what + '.');
}

function showLease(expiresAt: string): void {
  $('lp-lease').textContent = 'Leased to you until ' + new Date(expiresAt).toLocaleTimeString() + ', renewed while this page is open.' +
    (state.item && state.item.labelsNeeded > 1 ? ' Other labelers answer this item blind, as you do.' : '');
}

async function renewLease(): Promise<void> {
  if (!state.item) return;
  try {
    const renewed = await api<{ leaseExpiresAt: string }>('POST', '/queue/items/' + encodeURIComponent(state.item.itemId) + '/renew', { labeler: state.labeler });
    showLease(renewed.leaseExpiresAt);
  } catch (err) {
    if (failure(err).status === 409) { notice('Your lease on that item expired; here is the next one.', 'error'); void next(); }
  }
}

$('lp-bulk-confirm').addEventListener('click', () => void bulk.confirm());
$('lp-bulk-skip').addEventListener('click', () => { bulk.close(); void next(); });
$('lp-undo-button').addEventListener('click', () => void bulk.undo());
$('lp-new-name').addEventListener('keydown', (e) => {
  if (e.key === 'Escape') { closeNewConcept(); e.stopPropagation(); return; }
  if (e.key !== 'Enter') return;
  e.preventDefault();
  e.stopPropagation();
  const name = inputEl('lp-new-name').value.trim();
  if (!name && state.model?.task === 'multiclass') { $('lp-hint').textContent = 'Name the new concept.'; return; }
  state.newConcept = name;
  state.outOfScope = false;
  if (state.model?.task === 'multiclass') state.selected = [];
  closeNewConcept();
  rerenderChoices();
  void submit();
});
$('lp-none').addEventListener('click', openNewConcept);
$('lp-oos').addEventListener('click', toggleOutOfScope);
$('lp-skip').addEventListener('click', () => void send({ skip: true }, 'Skipped; you will not be offered that item again.'));
$('lp-submit').addEventListener('click', () => void submit());

document.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.metaKey || e.ctrlKey || e.altKey) return;
  if (e.key === 'z' && state.pending) { e.preventDefault(); void bulk.undo(); return; }
  if (state.bulk) {
    if (/^[1-9]$/.test(e.key)) { e.preventDefault(); bulk.toggleTile(Number(e.key) - 1); }
    else if (e.key === 'a') { e.preventDefault(); bulk.toggleAllTiles(); }
    else if (e.key === 'Enter') { e.preventDefault(); void bulk.confirm(); }
    else if (e.key === 'Escape') { e.preventDefault(); bulk.close(); void next(); }
    return;
  }
  if ($('lp-work').hidden) return;
  if (/^[0-9]$/.test(e.key)) { e.preventDefault(); pick(e.key === '0' ? 9 : Number(e.key) - 1); }
  else if (e.key === 'u') { e.preventDefault(); openNewConcept(); }
  else if (e.key === 'o') { e.preventDefault(); toggleOutOfScope(); }
  else if (e.key === 's') { e.preventDefault(); void send({ skip: true }, 'Skipped; you will not be offered that item again.'); }
  else if (e.key === 'Enter') { e.preventDefault(); void submit(); }
});

// A label key is one labeler: its name is fixed, and the page offers sign-out instead of a name
// change, when there is a session to end (a browser sending the key itself has none).
$('lp-change').hidden = Boolean(cfg.labeler);
$('lp-sign-out').hidden = !(cfg.labeler && cfg.signOut);
if (!state.labeler) showSetup();
else {
  if (params.get('labeler')) localStorage.setItem('driftloop.labeler', state.labeler);
  void start();
}
