// The labeling page's browser code: state, API calls, keyboard. Inlined after `isSafeImageUrl`
// and the rendering in label-page.render.ts.
export const LABEL_PAGE_SCRIPT = String.raw`
const cfg = JSON.parse(document.getElementById('label-config').textContent);
const $ = (id) => document.getElementById(id);
const base = '/v1/models/' + encodeURIComponent(cfg.model);
const params = new URLSearchParams(location.search);
const state = {
  labeler: (cfg.labeler || params.get('labeler') || localStorage.getItem('driftloop.labeler') || '').trim(),
  model: null, item: null, selected: [], newConcept: null, outOfScope: false, busy: false, renew: null, poll: null,
};

function notice(text, kind) {
  const el = $('lp-notice');
  el.hidden = !text;
  el.className = 'lp-notice' + (kind ? ' ' + kind : '');
  el.textContent = text || '';
}

async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error((data.error && data.error.message) || res.statusText);
    err.status = res.status;
    throw err;
  }
  return data;
}

// The session ended (expired, signed out or its key revoked): sign in again and come back here.
function signIn() {
  location.href = '/ui/sign-in?next=' + encodeURIComponent(location.pathname + location.search);
}

function showSetup(message) {
  stopTimers();
  $('lp-work').hidden = true;
  $('lp-empty').hidden = true;
  $('lp-setup').hidden = false;
  $('lp-name').value = state.labeler;
  notice(message || '', message ? 'error' : '');
  $('lp-name').focus();
}

$('lp-setup').addEventListener('submit', (e) => {
  e.preventDefault();
  state.labeler = $('lp-name').value.trim();
  if (!state.labeler) return;
  localStorage.setItem('driftloop.labeler', state.labeler);
  $('lp-setup').hidden = true;
  notice('');
  start();
});
$('lp-change').addEventListener('click', (e) => { e.preventDefault(); showSetup(); });
$('lp-recheck').addEventListener('click', () => next());

async function start() {
  $('lp-labeler').textContent = state.labeler;
  try {
    state.model = await api('GET', '');
  } catch (err) {
    return err.status === 401 ? signIn() : err.status === 403 ? showSetup('Refused: ' + err.message) : notice(err.message, 'error');
  }
  const m = state.model;
  $('lp-subtitle').textContent = m.task + ' · ' + m.concepts.length + ' concepts' + (m.encoder ? ' · ' + m.encoder : '');
  await next();
}

function stopTimers() {
  clearInterval(state.renew);
  clearTimeout(state.poll);
  state.renew = state.poll = null;
}

async function next() {
  stopTimers();
  state.item = null;
  try {
    const { items } = await api('POST', '/queue/claim', { labeler: state.labeler, limit: 1 });
    refreshProgress();
    if (items.length === 0) {
      $('lp-work').hidden = true;
      $('lp-empty').hidden = false;
      state.poll = setTimeout(next, 15000);
      return;
    }
    render(items[0]);
  } catch (err) {
    if (err.status === 401) signIn();
    else if (err.status === 403) showSetup('Refused: ' + err.message);
    else notice('Could not claim an item: ' + err.message, 'error');
  }
}

async function refreshProgress() {
  try {
    const stats = await api('GET', '/queue');
    const me = stats.labelers.find((l) => l.labeler === state.labeler);
    $('lp-done').textContent = String(me ? me.today : 0);
    $('lp-remaining').textContent = String(stats.pending);
  } catch { /* progress is informative only */ }
}

function render(item) {
  state.item = item;
  state.selected = [];
  state.newConcept = null;
  state.outOfScope = false;
  $('lp-empty').hidden = true;
  $('lp-work').hidden = false;
  $('lp-work').dataset.itemId = item.itemId;
  $('lp-work').dataset.predictionId = item.predictionId;
  renderInput(item);
  renderChoices();
  renderScores(item);
  renderNeighbors(item);
  closeNewConcept();
  showLease(item.leaseExpiresAt);
  const seconds = state.model.settings.queue.leaseSeconds;
  state.renew = setInterval(renewLease, Math.max(1000, seconds * 500));
}

function pick(index) {
  const concept = state.model.concepts[index];
  if (!concept || !state.item) return;
  state.outOfScope = false;
  if (state.model.task === 'multiclass') {
    state.selected = [concept.id];
    state.newConcept = null;
  } else {
    state.selected = state.selected.includes(concept.id) ? state.selected.filter((c) => c !== concept.id) : [...state.selected, concept.id];
  }
  renderChoices();
}

function closeNewConcept() {
  $('lp-new').hidden = true;
  $('lp-new-name').blur();
}

function openNewConcept() {
  $('lp-new').hidden = false;
  $('lp-new-name').value = '';
  $('lp-new-name').focus();
}

function toggleOutOfScope() {
  state.outOfScope = !state.outOfScope;
  if (state.outOfScope) { state.selected = []; state.newConcept = null; }
  renderChoices();
}

async function send(label, message) {
  if (state.busy || !state.item) return;
  state.busy = true;
  try {
    await api('POST', '/labels', { labels: [Object.assign({ itemId: state.item.itemId, labeler: state.labeler, concepts: [] }, label)] });
    notice(message, 'ok');
    await next();
  } catch (err) {
    notice('Not saved: ' + err.message, 'error');
    if (err.status === 409) await next();
  } finally {
    state.busy = false;
  }
}

function submit() {
  if (state.outOfScope) return send({ outOfScope: true }, 'Saved: out of scope.');
  const newConcepts = state.newConcept ? [state.newConcept] : [];
  const chosen = state.selected.length + newConcepts.length;
  if (state.model.task === 'multiclass' && chosen !== 1) {
    $('lp-hint').textContent = 'Pick one concept with its digit, or press u to name a new one.';
    return;
  }
  if (state.model.task === 'multilabel' && chosen === 0 && state.newConcept === null) {
    $('lp-hint').textContent = 'Pick the concepts that apply, or press u for none of these.';
    return;
  }
  const what = [...state.selected, ...newConcepts.map((c) => 'new: ' + c)].join(', ') || 'none of these';
  return send({ concepts: state.selected, newConcepts }, 'Saved: ' + what + '.');
}

function showLease(expiresAt) {
  $('lp-lease').textContent = 'Leased to you until ' + new Date(expiresAt).toLocaleTimeString() + ', renewed while this page is open.' +
    (state.item.labelsNeeded > 1 ? ' Other labelers answer this item blind, as you do.' : '');
}

async function renewLease() {
  if (!state.item) return;
  try {
    const renewed = await api('POST', '/queue/items/' + encodeURIComponent(state.item.itemId) + '/renew', { labeler: state.labeler });
    showLease(renewed.leaseExpiresAt);
  } catch (err) {
    if (err.status === 409) { notice('Your lease on that item expired; here is the next one.', 'error'); next(); }
  }
}

$('lp-new-name').addEventListener('keydown', (e) => {
  if (e.key === 'Escape') { closeNewConcept(); e.stopPropagation(); return; }
  if (e.key !== 'Enter') return;
  e.preventDefault();
  e.stopPropagation();
  const name = $('lp-new-name').value.trim();
  if (!name && state.model.task === 'multiclass') { $('lp-hint').textContent = 'Name the new concept.'; return; }
  state.newConcept = name;
  state.outOfScope = false;
  if (state.model.task === 'multiclass') state.selected = [];
  closeNewConcept();
  renderChoices();
  submit();
});
$('lp-none').addEventListener('click', openNewConcept);
$('lp-oos').addEventListener('click', toggleOutOfScope);
$('lp-skip').addEventListener('click', () => send({ skip: true }, 'Skipped; you will not be offered that item again.'));
$('lp-submit').addEventListener('click', submit);

document.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement || e.metaKey || e.ctrlKey || e.altKey || $('lp-work').hidden) return;
  if (/^[0-9]$/.test(e.key)) { e.preventDefault(); pick(e.key === '0' ? 9 : Number(e.key) - 1); }
  else if (e.key === 'u') { e.preventDefault(); openNewConcept(); }
  else if (e.key === 'o') { e.preventDefault(); toggleOutOfScope(); }
  else if (e.key === 's') { e.preventDefault(); send({ skip: true }, 'Skipped; you will not be offered that item again.'); }
  else if (e.key === 'Enter') { e.preventDefault(); submit(); }
});

// A label key is one labeler: its name is fixed, and the page offers sign-out instead of a name change.
$('lp-change').hidden = Boolean(cfg.labeler);
$('lp-sign-out').hidden = !cfg.labeler;
if (!state.labeler) showSetup();
else {
  if (params.get('labeler')) localStorage.setItem('driftloop.labeler', state.labeler);
  start();
}
`;
