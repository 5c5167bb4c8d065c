// The labeling page's rendering, inlined before label-page.script.ts. Every node is built with
// textContent/setAttribute (never innerHTML), so data cannot inject markup; images pass isSafeImageUrl.
export const LABEL_PAGE_RENDER = String.raw`
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
function clear(el, ...children) { el.replaceChildren(...children.flat().filter(Boolean)); }
function pct(x) { return Math.round(x * 100) + '%'; }

function renderInput(item) {
  const input = item.input || {};
  const box = $('lp-input');
  if (input.url && isSafeImageUrl(input.url)) clear(box, h('img', { src: input.url, alt: 'production input ' + item.predictionId }));
  else if (input.text) clear(box, h('blockquote', { text: input.text }));
  else if (input.url) clear(box, h('p', { class: 'muted', text: 'The input URL is not an http(s) or data: image, so it is not shown.' }));
  else clear(box, h('p', { class: 'muted', text: 'No input was sent with this prediction: judge from the scores and the neighbours.' }));
  clear($('lp-meta'),
    h('span', { text: 'prediction ' + item.predictionId }),
    h('span', { text: new Date(item.timestamp).toLocaleString() }),
    item.weight > 1 ? h('span', { class: 'badge warn', text: 'seen ' + item.weight + '× in production' }) : null,
    h('span', { id: 'lp-item-id', text: 'item ' + item.itemId }));
}

function renderChoices() {
  const item = state.item;
  const list = $('lp-choices');
  clear(list, state.model.concepts.map((c, i) => {
    const on = state.selected.includes(c.id);
    const key = i < 9 ? String(i + 1) : i === 9 ? '0' : '';
    return h('li', { class: 'lp-choice' + (on ? ' on' : '') + (c.id === item.predicted ? ' predicted' : ''), 'data-concept': c.id, onclick: () => pick(i) },
      key ? h('kbd', { text: key }) : h('span', { style: 'width:22px' }),
      h('div', {}, h('div', { class: 'name', text: c.id }), c.description ? h('div', { class: 'desc', text: c.description }) : null));
  }));
  if (state.newConcept !== null) {
    list.append(h('li', { class: 'lp-choice on' }, h('kbd', { text: 'u' }),
      h('div', {}, h('div', { class: 'name', text: state.newConcept ? 'New concept: ' + state.newConcept : 'None of these' }))));
  }
  $('lp-oos').classList.toggle('on', state.outOfScope);
  $('lp-hint').textContent = state.outOfScope ? 'Marked out of scope: the model should never get inputs like this.' : '';
  renderDictionary();
}

function renderScores(item) {
  const model = state.model;
  const scoring = model.settings.scoring || { thresholds: {}, defaultThreshold: 0.5 };
  const entries = Object.entries(item.scores).sort((a, b) => b[1] - a[1]);
  clear($('lp-scores'), entries.map(([concept, score], i) => {
    const t = model.task === 'multilabel' ? (Object.prototype.hasOwnProperty.call(scoring.thresholds, concept) ? scoring.thresholds[concept] : scoring.defaultThreshold) : null;
    return h('div', { class: 'lp-bar' + (i === 0 ? ' top' : '') },
      h('span', { text: concept }),
      h('div', { class: 'track' }, h('div', { class: 'fill', style: 'width:' + pct(score) }), t !== null ? h('div', { class: 'mark', style: 'left:' + pct(t), title: 'threshold ' + t }) : null),
      h('span', { class: 'v', text: score.toFixed(2) }));
  }));
  const why = {
    ood: () => 'Out of distribution: further from the training data than ' + pct(item.ood.score) + ' of held-out examples.',
    uncertain: () => 'Uncertain: uncertainty ' + item.uncertainty.toFixed(2) + ' (1 − margin between the top two scores).',
    disagreement: () => 'Neighbours disagree: ' + pct(item.knn.share) + ' of the nearest training examples are “' + item.knn.concept + '”, the model said “' + item.predicted + '”.',
    drift: () => 'Drift: favoured while the model drifts and waits for labels.',
  };
  clear($('lp-reasons'), item.reasons.map((r) =>
    h('div', { class: 'lp-reason' }, h('span', { class: 'badge' + (r === 'ood' || r === 'drift' ? ' warn' : ''), text: r }), h('span', { text: why[r] ? why[r]() : r }))));
}

function renderDictionary() {
  const item = state.item;
  const ranked = Object.entries(item.scores).sort((a, b) => b[1] - a[1]).map(([c]) => c);
  const wanted = [...new Set([...state.selected, item.predicted, ...ranked.slice(0, 3), item.knn.concept].filter(Boolean))];
  const byId = new Map(state.model.concepts.map((c) => [c.id, c]));
  clear($('lp-dict'), wanted.map((id) => byId.get(id)).filter(Boolean).map((c) =>
    h('div', { 'data-concept': c.id },
      h('h3', {}, c.id, ' ', c.id === item.predicted ? h('span', { class: 'badge', text: 'predicted' }) : null,
        state.selected.includes(c.id) ? h('span', { class: 'badge ok', text: 'your pick' }) : null),
      c.description ? h('p', { text: c.description }) : h('p', { class: 'muted', text: 'No description yet.' }),
      h('ul', {}, (c.includes || []).map((x) => h('li', { class: 'inc', text: x })), (c.excludes || []).map((x) => h('li', { class: 'exc', text: x }))))));
}

function renderNeighbors(item) {
  clear($('lp-neighbors'), item.neighbors.map((n) => {
    const input = n.input || {};
    const thumb = input.url && isSafeImageUrl(input.url) ? h('img', { src: input.url, alt: n.id, loading: 'lazy' })
      : input.text ? h('q', { text: input.text }) : h('span', { text: (n.concepts[0] || '?').slice(0, 1).toUpperCase() });
    return h('div', { class: 'lp-neighbor' }, h('div', { class: 'thumb' }, thumb),
      h('div', { class: 'body' }, h('div', {}, n.concepts.map((c) => h('span', { class: 'badge' + (c === item.predicted ? '' : ' ok'), text: c })), ' ',
        h('span', { class: 'dist', title: 'distance', text: n.distance.toFixed(3) })),
        h('div', { class: 'id', title: n.id, text: n.id })));
  }));
}
`;
