import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictionFor, seedModel, type SeededModel } from '../support/fixtures.js';
import { ManualClock } from '../support/clock.js';
import { databaseUrlFor } from '../support/database.js';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.js';

/** Real condition wait: polls `check` on the wall clock until it holds, failing after `ms`. Not a timing assertion. */
async function waitFor(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Train and eval points in the server's reference index, from /metrics. */
async function indexPoints(server: TestServer, model: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  let total = 0;
  for (const split of ['train', 'eval']) {
    const m = new RegExp(`driftloop_index_points\\{model="${model}",split="${split}"\\} (\\d+)`).exec(text);
    total += m ? Number(m[1]) : 0;
  }
  return total;
}

/** The seq of the published snapshot the server's reference index continues from, from /metrics. */
async function snapshotSeq(server: TestServer, model: string): Promise<number | undefined> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const m = new RegExp(`driftloop_index_snapshot_seq\\{model="${model}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : undefined;
}

describe('derived indexes across instances on one PostgreSQL database', () => {
  // One clock for every instance: the catch-up poll fires only when the test advances it.
  const clock = new ManualClock();
  let url: string;
  let a: TestServer;
  let b: TestServer;
  let late: TestServer | undefined;
  let model: SeededModel;
  let examples = 0;
  const env = () => ({ DRIFTLOOP_DATABASE_URL: url, DRIFTLOOP_INDEX_POLL_MS: '1000' });

  beforeAll(async () => {
    const dirA = tempDataDir();
    url = (await databaseUrlFor(dirA))!;
    a = await startTestServer({ dataDir: dirA, clock, env: env() });
    model = await seedModel(a, { examples: 300, clusters: 4, dim: 16 });
    examples = 300;
    b = await startTestServer({ dataDir: tempDataDir(), clock, env: env() });
  });
  afterAll(async () => {
    await late?.stop();
    await b?.stop();
    await a?.stop();
  });

  /** Scores the same embeddings on `server` under fresh ids; returns the OOD results in order. */
  const queries = (n: number) => Array.from({ length: n }, (_, i) => predictionFor(model, `q${i}`, i % 5 === 4 ? 0 : i % 4, { outlier: i % 5 === 4 }));
  let fixed: ReturnType<typeof queries> | undefined;
  const scoreOn = async (server: TestServer, tag: string) => {
    fixed ??= queries(20);
    const predictions = fixed.map((p) => ({ ...p, id: `${tag}-${p.id}` }));
    const res = await server.request('POST', `/v1/models/${model.name}/predictions`, { predictions });
    expect(res.status).toBe(200);
    return res.body.results.map((r: { ood: unknown }) => r.ood);
  };
  /** New examples through `server`, in a cluster of their own that the queries' outliers are not near. */
  const addExamples = async (server: TestServer, prefix: string, n: number) => {
    const batch = Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, embedding: model.data.point(i % 4), concepts: [model.concepts[i % 4]!] }));
    const res = await server.request('POST', `/v1/models/${model.name}/examples`, { examples: batch });
    expect(res.status).toBe(200);
    examples += n;
  };

  it('when examples are acknowledged on instance A, then instance B scores with them within 5 seconds of its clock, exactly as A does', async () => {
    const before = await scoreOn(b, 'b0');
    expect(before).toEqual(await scoreOn(a, 'a0'));

    await addExamples(a, 'more', 200);
    // The poll runs on the injected clock: 5 seconds of it, then whatever rounds they started finish.
    for (let s = 0; s < 5; s++) await clock.advance(1000);
    await waitFor('B has caught up', async () => (await indexPoints(b, model.name)) === examples);

    const onA = await scoreOn(a, 'a1');
    const onB = await scoreOn(b, 'b1');
    expect(onB).toEqual(onA);
    // The new examples changed the calibration and the neighbourhoods, and B uses them.
    expect(onB).not.toEqual(before);
    const described = async (s: TestServer) => (await s.request('GET', `/v1/models/${model.name}`)).body;
    expect((await described(b)).calibration).toEqual((await described(a)).calibration);
  });

  it('when an item is queued through instance A, then a near-copy sent to instance B merges into it instead of opening a second item', async () => {
    const far = model.data.outlier();
    const send = (server: TestServer, id: string) =>
      server.request('POST', `/v1/models/${model.name}/predictions`, { predictions: [{ ...predictionFor(model, id, 0, { outlier: true }), embedding: far }] });
    const first = await send(a, 'copy-a');
    expect(first.body.results[0]).toMatchObject({ queued: true });
    // B's near-duplicate index was loaded before A queued the item: it catches up under the queue lock.
    const second = await send(b, 'copy-b');
    expect(second.body.results[0]).toMatchObject({ queued: false, duplicate: false });
  });

  it('when a new instance starts with an empty data folder, then it joins from the published snapshot, catches up only the later rows and scores as the others', async () => {
    // Shutdown saves and publishes A's indexes; B then acknowledges more.
    await a.stop();
    await addExamples(b, 'after', 60);

    const joiner = await startTestServer({ dataDir: tempDataDir(), clock, env: env() });
    late = joiner;
    const set = await late.driftloop.services.models.get(model.name);
    const opening = late.driftloop.services.references.opening(set!.id);
    expect(opening?.from).toBe('snapshot');
    // A's snapshot ends before B's last 60; unless B's own periodic save published a newer one meanwhile.
    expect([60, 0]).toContain(opening?.caughtUp);
    expect(await indexPoints(late, model.name)).toBe(examples);

    for (let s = 0; s < 5; s++) await clock.advance(1000);
    // At a poll B moves onto the newest published snapshot, the one the late instance joined from
    // (A's, or one B published itself): from then on both grow the same graph from the same file
    // and the same rows.
    expect(await snapshotSeq(late, model.name)).toBeGreaterThanOrEqual(500);
    await waitFor('B continues from the same snapshot as the late instance and has caught up', async () => {
      await clock.advance(1000);
      const [onB, onLate] = [await snapshotSeq(b, model.name), await snapshotSeq(joiner, model.name)];
      return onB !== undefined && onB === onLate && (await indexPoints(b, model.name)) === examples;
    });
    expect(await scoreOn(late, 'c2')).toEqual(await scoreOn(b, 'b2'));
  });
});
