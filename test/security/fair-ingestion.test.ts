import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyedLock } from '../../src/util/keyed-lock.js';
import { predictionFor, seedModel, type SeededModel } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A gate a task waits on, opened by the test. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/**
 * Ingestion scores a batch as soon as it arrives and stores batches one at a time per model
 * (`KeyedLock.inTurn` in `PredictionsService.ingest`): scoring overlaps, storing does not.
 */
describe('ingestion is serialised per model when storing, not across models', () => {
  it("when one model's batches are in line, then another model's batch is not held behind them", async () => {
    const turns = new KeyedLock<string>();
    const order: string[] = [];
    const gates = new Map(['a1', 'a2', 'a3'].map((id) => [id, gate()]));
    const big = [...gates].map(([id, g]) => turns.inTurn('A', g.opened, async () => void order.push(id)));
    await turns.inTurn('B', Promise.resolve(), async () => void order.push('b1'));
    expect(order).toEqual(['b1']);
    for (const g of gates.values()) g.open();
    await Promise.all(big);
    expect(order).toEqual(['b1', 'a1', 'a2', 'a3']);
  });

  it('when batches of one model arrive together, then the second is scored at once but stored after the first, in arrival order', async () => {
    const turns = new KeyedLock<string>();
    const order: string[] = [];
    const scoring = { a1: gate(), a2: gate() };
    const storing = gate();
    const first = turns.inTurn('A', scoring.a1.opened, async () => {
      order.push('store a1');
      await storing.opened;
    });
    const second = turns.inTurn('A', scoring.a2.opened, async () => void order.push('store a2'));
    scoring.a2.open();
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    scoring.a1.open();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['store a1']);
    storing.open();
    await Promise.all([first, second]);
    expect(order).toEqual(['store a1', 'store a2']);
  });

  it("when a batch's scoring fails while it waits in line, then its caller gets the error and the next batch is stored", async () => {
    const turns = new KeyedLock<string>();
    const held = gate();
    const first = turns.inTurn('A', held.opened, async () => 'a1');
    const failed = turns.inTurn('A', Promise.reject(new Error('search thread gone')), async () => 'never');
    const third = turns.inTurn('A', Promise.resolve(), async () => 'a3');
    held.open();
    await expect(failed).rejects.toThrow('search thread gone');
    expect(await Promise.all([first, third])).toEqual(['a1', 'a3']);
  });
});

describe('batches of one model sent at once over HTTP', () => {
  let server: TestServer;
  let m: SeededModel;
  const send = (predictions: unknown[]) => server.request('POST', `/v1/models/${m.name}/predictions`, { predictions });

  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_SEARCH_REPLICAS: '2' } });
    m = await seedModel(server, { dim: 16, clusters: 4, examples: 400, spread: 0.35 });
  });
  afterAll(() => server.stop());

  it('when eight overlapping batches arrive together, then every id is stored once and answered as new exactly once', async () => {
    // Batch b holds ids b*10 … b*10+19: each overlaps the next by ten.
    const batches = Array.from({ length: 8 }, (_, b) => Array.from({ length: 20 }, (_, j) => predictionFor(m, `p-${b * 10 + j}`, j % 4)));
    const answers = await Promise.all(batches.map((batch) => send(batch)));
    for (const a of answers) expect(a.status).toBe(200);
    const fresh = new Map<string, number>();
    for (const a of answers) {
      expect(a.body.accepted + a.body.duplicates).toBe(20);
      for (const r of a.body.results) if (!r.duplicate) fresh.set(r.id, (fresh.get(r.id) ?? 0) + 1);
    }
    expect(fresh.size).toBe(90);
    expect([...fresh.values()].every((n) => n === 1)).toBe(true);
    expect(answers.reduce((n, a) => n + a.body.accepted, 0)).toBe(90);
    const model = (await server.request('GET', `/v1/models/${m.name}`)).body;
    expect(model.counts.predictions).toBe(90);
    // A duplicate answers with the scores stored for its id.
    const again = await send(batches[0]!);
    expect(again.body.duplicates).toBe(20);
  });
});
