import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictionFor, seedModel, type SeededModel } from '../support/fixtures.js';
import { ManualClock } from '../support/clock.js';
import { databaseUrlFor } from '../support/database.js';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.js';

/**
 * An instance that moves onto a newer published snapshot opens the snapshot's set beside its
 * own and catches it up from the database, while its own set still answers. The two are one
 * model: they must not share the search threads' replicas, or the old set answers from the
 * new one's, which lacks the rows not yet caught up (a CI run saw distances that missed them).
 * And the old set keeps its own replicas until the swap, so its searches stay off the main thread.
 */
describe('scoring while an instance rebases onto a published snapshot', () => {
  const clock = new ManualClock();
  let a: TestServer;
  let b: TestServer;
  let model: SeededModel;
  let far: number[];

  beforeAll(async () => {
    const dirA = tempDataDir();
    const url = (await databaseUrlFor(dirA))!;
    const env = { DRIFTLOOP_DATABASE_URL: url, DRIFTLOOP_INDEX_POLL_MS: '1000' };
    a = await startTestServer({ dataDir: dirA, clock, env });
    model = await seedModel(a, { examples: 300, clusters: 4, dim: 16 });
    // B builds its set from the rows: it continues from no snapshot.
    b = await startTestServer({ dataDir: tempDataDir(), clock, env });
    far = model.data.outlier();
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  /** Queries at `far`, a place only the examples B adds below cover. */
  const probes = () => Array.from({ length: 10 }, (_, i) => ({ ...predictionFor(model, `p${i}`, 0), embedding: far.map((x, j) => x + ((i + j) % 3) * 1e-3) }));
  let round = 0;
  const score = async () => {
    const predictions = probes().map((p) => ({ ...p, id: `r${round}-${p.id}` }));
    round++;
    const res = await b.request('POST', `/v1/models/${model.name}/predictions`, { predictions });
    expect(res.status).toBe(200);
    return res.body.results.map((r: { ood: { isOod: boolean } }) => r.ood.isOod) as boolean[];
  };

  it('when the snapshot lacks rows the instance already scores with, then every answer during the catch-up still uses them', async () => {
    // A publishes its set (the 300 seeded rows) at shutdown; B's is newer but continues from no snapshot.
    await a.stop();
    // Then B takes 2,000 rows near the clusters and 1,000 at `far`, in that order: the snapshot's
    // set, caught up page by page, reaches `far` last.
    const post = async (prefix: string, n: number, at: () => number[]) => {
      for (let start = 0; start < n; start += 500) {
        const examples = Array.from({ length: Math.min(500, n - start) }, (_, i) => ({ id: `${prefix}-${start + i}`, embedding: at(), concepts: [model.concepts[(start + i) % 4]!] }));
        const res = await b.request('POST', `/v1/models/${model.name}/examples`, { examples });
        expect(res.status).toBe(200);
      }
    };
    await post('near', 2000, () => model.data.point(model.data.cluster()));
    await post('far', 1000, () => far.map((x) => x + (Math.random() - 0.5) * 0.05));
    expect(await score()).toEqual(Array(10).fill(false));

    const models = b.driftloop.services.models;
    const references = b.driftloop.services.references;
    const before = await references.get((await models.get(model.name))!);
    const rebased = async () => (await references.get((await models.get(model.name))!)) !== before;
    // The poll (on the injected clock) starts the rebase; B answers meanwhile.
    const polls = (async () => {
      for (let s = 0; s < 3; s++) await clock.advance(1000);
    })();
    const pool = b.driftloop.services.searchPool;
    const keyOf = (set: typeof before) => (set.train as unknown as { key: number }).key;
    const answers: boolean[][] = [];
    /** Search threads holding the old set's replica, read before each check that it still answers. */
    const heldOld: number[] = [];
    let duringRebase = 0;
    // A condition wait on the wall clock, not a timing assertion: the rebase runs on B's I/O.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const held = pool.readyCount(keyOf(before));
      if ((await rebased()) || Date.now() > deadline) break;
      heldOld.push(held);
      answers.push(await score());
      duringRebase++;
    }
    await polls;
    answers.push(await score());

    expect(await rebased()).toBe(true);
    // The search threads hold the new set's replicas (one may still hold the catch-up's adds back, as in any bulk load), and no longer the old one's.
    const after = await references.get((await models.get(model.name))!);
    expect(pool.readyCount(keyOf(after))).toBeGreaterThan(0);
    expect(pool.readyCount(keyOf(before))).toBe(0);
    // Scored with B's 1,000 rows at `far` every time: in distribution.
    expect(answers).toEqual(answers.map(() => Array(10).fill(false)));
    // And off the main thread: the old set kept its replicas until the new one replaced it.
    expect(heldOld.filter((n) => n === 0)).toEqual([]);
    console.log(`[rebase scoring] ${duringRebase} scoring requests answered while the rebase ran`);
    expect(duringRebase).toBeGreaterThan(0);
  });
});
