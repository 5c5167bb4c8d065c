import { isSafeImageUrl } from '../../safe-image-url.js';
import { $, clear, h, pct } from './dom.js';
import type { ClaimedItem, ItemReason, PageModel, PageState } from './types.js';

/** The production input: an image (safe URLs only), its text, or why there is nothing to show. */
export function renderInput(item: ClaimedItem): void {
  const input = item.input ?? {};
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

/** The concepts to pick from (digit keys), the answer so far, and the concept dictionary. */
export function renderChoices(state: PageState, model: PageModel, item: ClaimedItem, onPick: (index: number) => void): void {
  clear($('lp-choices'), model.concepts.map((c, i) => {
    const on = state.selected.includes(c.id);
    const key = i < 9 ? String(i + 1) : i === 9 ? '0' : '';
    return h('li', { class: 'lp-choice' + (on ? ' on' : '') + (c.id === item.predicted ? ' predicted' : ''), 'data-concept': c.id, onclick: () => onPick(i) },
      key ? h('kbd', { text: key }) : h('span', { style: 'width:22px' }),
      h('div', {}, h('div', { class: 'name', text: c.id }), c.description ? h('div', { class: 'desc', text: c.description }) : null));
  }));
  if (state.newConcept !== null) {
    $('lp-choices').append(h('li', { class: 'lp-choice on' }, h('kbd', { text: 'u' }),
      h('div', {}, h('div', { class: 'name', text: state.newConcept ? 'New concept: ' + state.newConcept : 'None of these' }))));
  }
  $('lp-oos').classList.toggle('on', state.outOfScope);
  $('lp-hint').textContent = state.outOfScope ? 'Marked out of scope: the model should never get inputs like this.' : '';
  renderDictionary(state, model, item);
}

const WHY: Record<ItemReason, (item: ClaimedItem, model: PageModel) => string> = {
  ood: (item) => 'Out of distribution: further from the training data than ' + pct(item.ood.score) + ' of held-out examples.',
  uncertain: (item, model) => 'Uncertain: uncertainty ' + item.uncertainty.toFixed(2) + (model.task === 'multilabel' ? ' (how close the scores are to their thresholds).' : ' (1 − margin between the top two scores).'),
  disagreement: (item) => 'Neighbours disagree: ' + pct(item.knn.share) + ' of the nearest training examples are “' + item.knn.concept + '”, the model said “' + item.predicted + '”.',
  drift: () => 'Drift: favoured while the model drifts and waits for labels.',
};

/** The scores as bars (with the threshold of a multilabel concept) and why the item was queued. */
export function renderScores(model: PageModel, item: ClaimedItem): void {
  const scoring = model.settings.scoring ?? { thresholds: {}, defaultThreshold: 0.5 };
  const entries = Object.entries(item.scores).sort((a, b) => b[1] - a[1]);
  clear($('lp-scores'), entries.map(([concept, score], i) => {
    const t = model.task === 'multilabel' ? (Object.prototype.hasOwnProperty.call(scoring.thresholds, concept) ? scoring.thresholds[concept]! : scoring.defaultThreshold) : null;
    return h('div', { class: 'lp-bar' + (i === 0 ? ' top' : '') },
      h('span', { text: concept }),
      h('div', { class: 'track' }, h('div', { class: 'fill', style: 'width:' + pct(score) }), t !== null ? h('div', { class: 'mark', style: 'left:' + pct(t), title: 'threshold ' + t }) : null),
      h('span', { class: 'v', text: score.toFixed(2) }));
  }));
  clear($('lp-reasons'), item.reasons.map((r) =>
    h('div', { class: 'lp-reason' }, h('span', { class: 'badge' + (r === 'ood' || r === 'drift' ? ' warn' : ''), text: r }), h('span', { text: WHY[r] ? WHY[r](item, model) : r }))));
}

function renderDictionary(state: PageState, model: PageModel, item: ClaimedItem): void {
  const ranked = Object.entries(item.scores).sort((a, b) => b[1] - a[1]).map(([c]) => c);
  const wanted = [...new Set([...state.selected, item.predicted, ...ranked.slice(0, 3), item.knn.concept].filter((c): c is string => Boolean(c)))];
  const byId = new Map(model.concepts.map((c) => [c.id, c]));
  clear($('lp-dict'), wanted.flatMap((id) => byId.get(id) ?? []).map((c) =>
    h('div', { 'data-concept': c.id },
      h('h3', {}, c.id, ' ', c.id === item.predicted ? h('span', { class: 'badge', text: 'predicted' }) : null,
        state.selected.includes(c.id) ? h('span', { class: 'badge ok', text: 'your pick' }) : null),
      c.description ? h('p', { text: c.description }) : h('p', { class: 'muted', text: 'No description yet.' }),
      h('ul', {}, (c.includes ?? []).map((x) => h('li', { class: 'inc', text: x })), (c.excludes ?? []).map((x) => h('li', { class: 'exc', text: x }))))));
}

/** The nearest training examples, with their concepts and distances. */
export function renderNeighbors(item: ClaimedItem): void {
  clear($('lp-neighbors'), item.neighbors.map((n) => {
    const input = n.input ?? {};
    const thumb = input.url && isSafeImageUrl(input.url) ? h('img', { src: input.url, alt: n.id, loading: 'lazy' })
      : input.text ? h('q', { text: input.text }) : h('span', { text: (n.concepts[0] || '?').slice(0, 1).toUpperCase() });
    return h('div', { class: 'lp-neighbor' }, h('div', { class: 'thumb' }, thumb),
      h('div', { class: 'body' }, h('div', {}, n.concepts.map((c) => h('span', { class: 'badge' + (c === item.predicted ? '' : ' ok'), text: c })), ' ',
        h('span', { class: 'dist', title: 'distance', text: n.distance.toFixed(3) })),
        h('div', { class: 'id', title: n.id, text: n.id })));
  }));
}

/** The bulk grid: similar waiting items as tiles (digit keys toggle them). */
export function renderBulk(bulk: NonNullable<PageState['bulk']>, onToggle: (index: number) => void): void {
  clear($('lp-bulk-grid'), bulk.items.map((it, i) => {
    const input = it.input ?? {};
    const thumb = input.url && isSafeImageUrl(input.url) ? h('img', { src: input.url, alt: it.predictionId })
      : input.text ? h('q', { text: input.text }) : h('span', { class: 'muted', text: 'no input' });
    return h('button', { type: 'button', class: 'lp-tile' + (bulk.selected.has(it.itemId) ? ' on' : ''), 'data-item-id': it.itemId, onclick: () => onToggle(i) },
      h('div', { class: 'thumb' }, thumb), i < 9 ? h('kbd', { text: String(i + 1) }) : null,
      h('div', { class: 'cap' }, h('span', { text: it.predictionId }), h('span', { text: it.distance.toFixed(3) })));
  }));
  $('lp-bulk-confirm').textContent = '';
  $('lp-bulk-confirm').append('Label ' + bulk.selected.size + ' selected ', h('kbd', { text: 'Enter' }));
}
