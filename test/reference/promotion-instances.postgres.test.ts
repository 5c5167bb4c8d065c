import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clock.js';
import { databaseUrlFor } from '../support/database.js';
import { FixtureLabels } from '../support/labeled-production.js';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.js';
import { ClusteredData, retrain, seedModel } from '../support/training-fixtures.js';

/** Real condition wait: polls `check` on the wall clock until it holds, failing after `ms`. Not a timing assertion. */
async function waitFor(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a promotion across instances on one PostgreSQL database', () => {
  const clock = new ManualClock();
  const labels = new FixtureLabels();
  const data = new ClusteredData({ dim: 16, clusters: 4, spread: 0.6, seed: 5 });
  // Production inputs halfway from c0 to c1 that labelers call c0: the champion misses them, a retrain learns them.
  const towardC1 = () => data.point(0).map((x, d) => x + 0.5 * (data.centers[1]![d]! - data.centers[0]![d]!));
  const between0and1 = (count: number) => Array.from({ length: count }, (_, i) => ({ id: `ugc-${i}`, embedding: towardC1(), concepts: ['c0'] }));
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    const dirA = tempDataDir();
    const env = { DRIFTLOOP_DATABASE_URL: (await databaseUrlFor(dirA))!, DRIFTLOOP_INDEX_POLL_MS: '1000' };
    // Both read the same labeled production items, whichever instance runs the retrain.
    a = await startTestServer({ dataDir: dirA, clock, env, replace: { labeledSource: () => labels } });
    await seedModel(a, 'pint', data, { perConcept: 80 });
    b = await startTestServer({ dataDir: tempDataDir(), clock, env, replace: { labeledSource: () => labels } });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it("when a version trained on labeled production items is promoted through one instance, then the items join every instance's reference index", async () => {
    const services = (s: TestServer) => s.driftloop.services;
    const model = await services(a).models.get('pint');
    // B has the reference set open before the promotion: it must catch up, not load it afresh.
    const onB = await services(b).references.get(model);
    const trainBefore = onB.train.size;
    expect((await retrain(a, 'pint')).result).toMatchObject({ version: 1, promoted: true });
    labels.label(model.id, between0and1(200));
    const job = await retrain(a, 'pint');
    expect(job.result).toMatchObject({ version: 2, status: 'champion', promoted: true });
    const p = (await a.request('GET', '/v1/models/pint/versions')).body[1].trainedOn.production;
    expect(p.fit + p.validation).toBeGreaterThan(0);

    for (let s = 0; s < 5; s++) await clock.advance(1000);
    await waitFor('B has the promoted items', async () => (await services(b).references.get(model)).train.size === trainBefore + p.fit + p.validation);
    // The catch-up that added them may still be recalibrating (its searches run on the search thread): let it finish.
    await services(b).references.catchUp(model);
    const onA = await services(a).references.get(model);
    expect(onB.train.size).toBe(onA.train.size);
    expect(onB.evalIndex.size).toBe(onA.evalIndex.size);
    const query = towardC1();
    const near = (set: typeof onA) => set.neighbors(query, 5);
    expect(near(onB).map((n) => n.id.split('-')[0])).toEqual(Array(5).fill('production:ugc'));
    expect(near(onB)).toEqual(near(onA));
    expect(onB.calibrationEntries()).toEqual(onA.calibrationEntries());
  });
});
