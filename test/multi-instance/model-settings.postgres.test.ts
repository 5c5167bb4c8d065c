import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictionFor, seedModel, type SeededModel } from '../support/fixtures.js';
import { ManualClock } from '../support/clock.js';
import { startTwoInstances, type TestServer, type TwoInstances } from '../support/server.js';

/** Real condition wait: polls `check` on the wall clock until it holds, failing after `ms`. Not a timing assertion. */
async function waitFor(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('model settings across instances on one PostgreSQL database', () => {
  // One clock for both instances: their polls run only when the test advances it.
  const clock = new ManualClock();
  const POLL_MS = 1000;
  let a: TestServer;
  let b: TestServer;
  let model: SeededModel;
  let n = 0;

  let instances: TwoInstances | undefined;

  beforeAll(async () => {
    instances = await startTwoInstances({
      clocks: [clock, clock],
      env: { DRIFTLOOP_INDEX_POLL_MS: String(POLL_MS) },
      beforeB: async (a) => {
        model = await seedModel(a, { examples: 200, clusters: 4, dim: 16 });
      },
    });
    ({ a, b } = instances);
  });
  afterAll(() => instances?.stop());

  const definition = (settings: unknown) => ({ task: 'multiclass', embeddingDim: 16, encoder: 'test-encoder@1', concepts: model.concepts.map((id) => ({ id })), settings });
  /** Whether a confident prediction sent to `server` is queued; each call in a cluster of its own, so none is a near-duplicate of another. */
  const queuesConfident = async (server: TestServer) => {
    const res = await server.request('POST', `/v1/models/${model.name}/predictions`, { predictions: [predictionFor(model, `p${n}`, n++ % 4, { top: 0.99 })] });
    expect(res.status).toBe(200);
    return res.body.results[0].queued as boolean;
  };
  const settingsOn = async (server: TestServer) => (await server.request('GET', `/v1/models/${model.name}`)).body.settings;

  it('when an ML owner changes settings through instance A, then instance B applies them after its next poll, and a change through B keeps them', async () => {
    // B has read the model: its cache is warm, with the defaults.
    expect((await settingsOn(b)).queue.uncertaintyThreshold).toBe(0.6);

    // Threshold 0: every prediction is queued, whatever its OOD score.
    const put = await a.request('PUT', `/v1/models/${model.name}`, definition({ queue: { uncertaintyThreshold: 0 } }));
    expect(put.status).toBe(200);
    expect(await queuesConfident(a)).toBe(true);
    expect((await settingsOn(b)).queue.uncertaintyThreshold).toBe(0.6);

    // One poll period of the shared clock; then B takes the change in.
    await clock.advance(POLL_MS);
    await waitFor('B serves the new threshold', async () => (await settingsOn(b)).queue.uncertaintyThreshold === 0);
    expect(await queuesConfident(b)).toBe(true);

    // A patch through B applies to the settings as stored, not to B's earlier copy.
    const patch = await b.request('PUT', `/v1/models/${model.name}`, definition({ drift: { threshold: 0.3 } }));
    expect(patch.status).toBe(200);
    expect(patch.body.settings.queue.uncertaintyThreshold).toBe(0);
    await clock.advance(POLL_MS);
    await waitFor('A serves B’s change', async () => (await settingsOn(a)).drift.threshold === 0.3);
    expect((await settingsOn(a)).queue.uncertaintyThreshold).toBe(0);
  });
});
