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
  region: params.get('region') || '', regions: [], bulk: null, pending: null,
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
    err.details = data.error && data.error.details;
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
  await loadRegions();
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
    const body = { labeler: state.labeler, limit: 1 };
    if (state.region) body.region = Number(state.region);
    const { items } = await api('POST', '/queue/claim', body);
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
  loadRegions();
}

async function loadRegions() {
  try {
    state.regions = (await api('GET', '/regions')).regions;
  } catch { return; /* the picker is optional: claims work without it */ }
  const select = $('lp-region');
  const options = state.regions.map((r) => h('option', { value: String(r.id),
    text: 'Region ' + r.id + ' · ' + r.size + ' predictions · est. ' + pct(r.estimatedAccuracy) + ' accurate · ' + r.labeled + ' labeled' }));
  if (state.region && !state.regions.some((r) => String(r.id) === state.region)) {
    options.push(h('option', { value: state.region, text: 'Region ' + state.region + ' (no longer in recent data)' }));
  }
  clear(select, h('option', { value: '', text: 'All regions, highest priority first' }), options);
  select.value = state.region;
}

$('lp-region').addEventListener('change', () => {
  state.region = $('lp-region').value;
  notice(state.region ? 'New items now come from region ' + state.region + '.' : 'New items now come from every region.', 'ok');
  if (!state.item) next();
});

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
    endUndo();
    const answered = state.item;
    await api('POST', '/labels', { labels: [Object.assign({ itemId: answered.itemId, labeler: state.labeler, concepts: [] }, label)] });
    notice(message, 'ok');
    if (label.skip || label.outOfScope || !(await offerSimilar(answered, label))) await next();
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

// Bulk labeling: after an answer, the nearest waiting items as a grid. Confirmed tiles are
// labeled at once (so no claim hands them out again); z takes them back until the next answer.
async function offerSimilar(item, label) {
  let items = [];
  try {
    items = (await api('GET', '/queue/items/' + encodeURIComponent(item.itemId) + '/similar?limit=9')).items;
  } catch { return false; }
  if (items.length === 0) return false;
  stopTimers();
  state.item = null;
  state.bulk = { answer: { concepts: label.concepts || [], newConcepts: label.newConcepts || [] }, items, selected: new Set() };
  const what = [...state.bulk.answer.concepts, ...state.bulk.answer.newConcepts.map((c) => 'new: ' + c)].join(', ') || 'none of these';
  $('lp-bulk-answer').textContent = '“' + what + '”';
  $('lp-bulk-answer-2').textContent = what;
  $('lp-work').hidden = true;
  $('lp-bulk').hidden = false;
  renderBulk();
  return true;
}

function renderBulk() {
  const b = state.bulk;
  clear($('lp-bulk-grid'), b.items.map((it, i) => {
    const input = it.input || {};
    const thumb = input.url && isSafeImageUrl(input.url) ? h('img', { src: input.url, alt: it.predictionId })
      : input.text ? h('q', { text: input.text }) : h('span', { class: 'muted', text: 'no input' });
    return h('button', { type: 'button', class: 'lp-tile' + (b.selected.has(it.itemId) ? ' on' : ''), 'data-item-id': it.itemId, onclick: () => toggleTile(i) },
      h('div', { class: 'thumb' }, thumb), i < 9 ? h('kbd', { text: String(i + 1) }) : null,
      h('div', { class: 'cap' }, h('span', { text: it.predictionId }), h('span', { text: it.distance.toFixed(3) })));
  }));
  $('lp-bulk-confirm').textContent = '';
  $('lp-bulk-confirm').append('Label ' + b.selected.size + ' selected ', h('kbd', { text: 'Enter' }));
}

function toggleTile(i) {
  const b = state.bulk;
  const it = b && b.items[i];
  if (!it) return;
  if (b.selected.has(it.itemId)) b.selected.delete(it.itemId); else b.selected.add(it.itemId);
  renderBulk();
}

function toggleAllTiles() {
  const b = state.bulk;
  if (b.selected.size === b.items.length) b.selected.clear(); else b.items.forEach((it) => b.selected.add(it.itemId));
  renderBulk();
}

function closeBulk() {
  state.bulk = null;
  $('lp-bulk').hidden = true;
}

async function confirmBulk() {
  const b = state.bulk;
  if (!b || state.busy) return;
  closeBulk();
  state.busy = true;
  try {
    if (b.selected.size > 0) {
      const labels = [...b.selected].map((itemId) => ({ itemId, labeler: state.labeler, concepts: b.answer.concepts, newConcepts: b.answer.newConcepts, bulk: true }));
      const saved = await sendBulk(labels);
      if (saved.length > 0) {
        state.pending = { itemIds: saved };
        $('lp-undo-text').textContent = 'Labeled ' + saved.length + ' similar item' + (saved.length === 1 ? '' : 's') + ' the same.';
        $('lp-undo').hidden = false;
      }
    }
  } finally {
    state.busy = false;
  }
  next();
}

/** Sends bulk labels; items someone claimed meanwhile are left out (the batch is atomic). Returns the item ids saved. */
async function sendBulk(labels) {
  for (let attempt = 0; attempt < 3 && labels.length > 0; attempt++) {
    try {
      await api('POST', '/labels', { labels });
      return labels.map((l) => l.itemId);
    } catch (err) {
      const taken = new Set((err.details && err.details.indexes) || []);
      if (err.status !== 409 || taken.size === 0) { notice('Bulk labels not saved: ' + err.message, 'error'); return []; }
      labels = labels.filter((_, i) => !taken.has(i));
    }
  }
  return [];
}

async function undoBulk() {
  const p = state.pending;
  if (!p) return;
  endUndo();
  try {
    const { retracted } = await api('POST', '/labels/retract', { labeler: state.labeler, itemIds: p.itemIds });
    notice('Undone: ' + retracted + ' bulk label' + (retracted === 1 ? '' : 's') + ' taken back.', 'ok');
    refreshProgress();
  } catch (err) {
    notice('Could not undo: ' + err.message, 'error');
  }
}

function endUndo() {
  state.pending = null;
  $('lp-undo').hidden = true;
}

$('lp-bulk-confirm').addEventListener('click', confirmBulk);
$('lp-bulk-skip').addEventListener('click', () => { closeBulk(); next(); });
$('lp-undo-button').addEventListener('click', undoBulk);
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
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.metaKey || e.ctrlKey || e.altKey) return;
  if (e.key === 'z' && state.pending) { e.preventDefault(); undoBulk(); return; }
  if (state.bulk) {
    if (/^[1-9]$/.test(e.key)) { e.preventDefault(); toggleTile(Number(e.key) - 1); }
    else if (e.key === 'a') { e.preventDefault(); toggleAllTiles(); }
    else if (e.key === 'Enter') { e.preventDefault(); confirmBulk(); }
    else if (e.key === 'Escape') { e.preventDefault(); closeBulk(); next(); }
    return;
  }
  if ($('lp-work').hidden) return;
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
