// Bulk labeling: after an answer, the nearest waiting items as a grid. Confirmed tiles are
// labeled at once (so no claim hands them out again); z takes them back until the next answer.
import { failure, type ModelApi } from './api.js';
import { $, notice } from './dom.js';
import { renderBulk } from './render.js';
import type { ClaimedItem, LabelBody, PageState, SimilarItem } from './types.js';

/** What bulk labeling needs from the page's controller. */
export interface BulkHost {
  state: PageState;
  api: ModelApi;
  /** Claims the next item. */
  next(): Promise<void>;
  refreshProgress(): Promise<void>;
  stopTimers(): void;
}

/**
 * How far the grid reaches, in multiples of the typical training-neighbour distance. Phone-like
 * inputs lie farther apart than training neighbours: on the demo data radius 1 left the grid
 * nearly always empty (×1.02 labels per minute), radius 2 gave 2.6 tiles per answer with the
 * same share of matching tiles (56% against 54%) and ×1.57 (docs/regions.md, bulk labeling).
 */
const GRID_RADIUS = 2;

export class BulkLabeling {
  constructor(private readonly host: BulkHost) {}

  /** Shows the items nearest to the one just answered; false when there are none. */
  async offerSimilar(item: ClaimedItem, label: LabelBody): Promise<boolean> {
    const { state, api } = this.host;
    let items: SimilarItem[] = [];
    try {
      items = (await api<{ items: SimilarItem[] }>('GET', '/queue/items/' + encodeURIComponent(item.itemId) + '/similar?limit=9&radius=' + GRID_RADIUS)).items;
    } catch { return false; }
    if (items.length === 0) return false;
    this.host.stopTimers();
    state.item = null;
    state.bulk = { answer: { concepts: label.concepts ?? [], newConcepts: label.newConcepts ?? [] }, items, selected: new Set() };
    const what = [...state.bulk.answer.concepts, ...state.bulk.answer.newConcepts.map((c) => 'new: ' + c)].join(', ') || 'none of these';
    $('lp-bulk-answer').textContent = '“' + what + '”';
    $('lp-bulk-answer-2').textContent = what;
    $('lp-work').hidden = true;
    $('lp-bulk').hidden = false;
    renderBulk(state.bulk, this.toggleTile);
    return true;
  }

  readonly toggleTile = (i: number): void => {
    const b = this.host.state.bulk;
    const it = b?.items[i];
    if (!b || !it) return;
    if (b.selected.has(it.itemId)) b.selected.delete(it.itemId); else b.selected.add(it.itemId);
    renderBulk(b, this.toggleTile);
  };

  toggleAllTiles(): void {
    const b = this.host.state.bulk;
    if (!b) return;
    if (b.selected.size === b.items.length) b.selected.clear(); else b.items.forEach((it) => b.selected.add(it.itemId));
    renderBulk(b, this.toggleTile);
  }

  close(): void {
    this.host.state.bulk = null;
    $('lp-bulk').hidden = true;
  }

  async confirm(): Promise<void> {
    const { state } = this.host;
    const b = state.bulk;
    if (!b || state.busy) return;
    this.close();
    state.busy = true;
    try {
      if (b.selected.size > 0) {
        const labels = [...b.selected].map((itemId) => ({ itemId, labeler: state.labeler, concepts: b.answer.concepts, newConcepts: b.answer.newConcepts, bulk: true }));
        const saved = await this.send(labels);
        if (saved.length > 0) this.offerUndo(saved);
      }
    } finally {
      state.busy = false;
    }
    void this.host.next();
  }

  /** Sends bulk labels; items someone claimed meanwhile are left out (the batch is atomic). Returns the item ids saved. */
  private async send(labels: ({ itemId: string } & LabelBody)[]): Promise<string[]> {
    for (let attempt = 0; attempt < 3 && labels.length > 0; attempt++) {
      try {
        await this.host.api('POST', '/labels', { labels });
        return labels.map((l) => l.itemId);
      } catch (err) {
        const f = failure(err);
        const taken = new Set(f.details?.indexes ?? []);
        if (f.status !== 409 || taken.size === 0) { notice('Bulk labels not saved: ' + f.message, 'error'); return []; }
        labels = labels.filter((_, i) => !taken.has(i));
      }
    }
    return [];
  }

  async undo(): Promise<void> {
    const { state, api } = this.host;
    const p = state.pending;
    if (!p) return;
    const item = state.item;
    this.endUndo();
    try {
      const { retracted } = await api<{ retracted: number }>('POST', '/labels/retract', { labeler: state.labeler, itemIds: p.itemIds });
      notice('Undone: ' + retracted + ' bulk label' + (retracted === 1 ? '' : 's') + ' taken back.', 'ok');
      void this.host.refreshProgress();
    } catch (err) {
      const f = failure(err);
      // Nothing was taken back (the database rolled it back): z works again until the next answer.
      const again = f.status === 503 && state.item === item && !state.pending;
      if (again) this.offerUndo(p.itemIds);
      notice('Could not undo: ' + f.message + (again ? ' Press z to try again.' : ''), 'error');
    }
  }

  private offerUndo(itemIds: string[]): void {
    this.host.state.pending = { itemIds };
    $('lp-undo-text').textContent = 'Labeled ' + itemIds.length + ' similar item' + (itemIds.length === 1 ? '' : 's') + ' the same.';
    $('lp-undo').hidden = false;
  }

  endUndo(): void {
    this.host.state.pending = null;
    $('lp-undo').hidden = true;
  }
}
