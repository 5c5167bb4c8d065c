import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { outliers, setupModel, UNSURE } from '../queue/support.js';

const ADMIN = 'bootstrap-admin-key-0123456789';
const STATEMENT_CHARS = 64 * 1024;

/** `driftloop_held_entries` (or its cap) of one structure, as a scrape reads it. */
async function held(server: TestServer, structure: string, metric = 'driftloop_held_entries'): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const value = new RegExp(`^${metric}\\{structure="${structure}"\\} (\\S+)$`, 'm').exec(text)?.[1];
  if (value === undefined) throw new Error(`no ${metric} for ${structure}`);
  return Number(value);
}

/** Runs `send(i)` for i in [0, n), `width` at a time. */
async function hostile(n: number, send: (i: number) => Promise<void>, width = 8): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await send(next++);
  }));
}

describe('in-process structures that requests can grow stay at their caps', () => {
  let server: TestServer;
  let ann: string;
  beforeAll(async () => {
    // A small statement-text budget, which a few hundred batches pass (the default is 1 Mi characters).
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN }, limits: { statementChars: STATEMENT_CHARS } });
    ann = (await server.driftloop.services.keys.create('label', 'ann')).key;
    const asAdmin = { ...server, request: (m: string, p: string, b?: unknown) => server.request(m, p, b, ADMIN) } as TestServer;
    for (const [name, selection] of [['ranked', 'typical'], ['by-priority', 'priority']] as const) {
      const f = await setupModel(asAdmin, name, { queue: { uncertaintyThreshold: 0, selection } });
      const predictions = outliers(f.data, 6).map((embedding, i) => ({ id: `p-${i}`, embedding, scores: UNSURE }));
      expect((await server.request('POST', `/v1/models/${name}/predictions`, { predictions }, ADMIN)).status).toBe(200);
    }
  });
  afterAll(() => server.stop());

  it('when a label key claims naming many distinct regions under a ranked policy, then every claim answers and the rankings held stay at their cap', async () => {
    const cap = await held(server, 'selection_rankings', 'driftloop_held_entries_cap');
    expect(cap).toBeGreaterThan(0);
    await hostile(cap * 3, async (i) => {
      // No item lies in any of these regions: each claim is ranked and run, then answers 404.
      const res = await server.request('POST', '/v1/models/ranked/queue/claim', { labeler: 'ann', limit: 1, region: 1000 + i }, ann);
      expect(res.status, JSON.stringify(res.body)).toBe(404);
    });
    expect(await held(server, 'selection_rankings')).toBeLessThanOrEqual(cap);
    // The whole pool is still ranked and handed out after the flood.
    const all = await server.request('POST', '/v1/models/ranked/queue/claim', { labeler: 'ann', limit: 6 }, ann);
    expect(all.body.items).toHaveLength(6);
  });

  it('when claims by priority name many distinct regions, then the lease texts held stay at their cap', async () => {
    const cap = await held(server, 'claim_lease_texts', 'driftloop_held_entries_cap');
    await hostile(cap + 40, async (i) => {
      const res = await server.request('POST', '/v1/models/by-priority/queue/claim', { labeler: 'ann', limit: 1, region: 5000 + i }, ann);
      expect(res.status, JSON.stringify(res.body)).toBe(404);
    });
    // On SQLite claims build no texts; on PostgreSQL each region claimed keeps one, up to the cap.
    const texts = await held(server, 'claim_lease_texts');
    expect(texts).toBeLessThanOrEqual(cap);
    if (process.env.DRIFTLOOP_TEST_DIALECT === 'postgres') expect(texts).toBeGreaterThan(0);
    const all = await server.request('POST', '/v1/models/by-priority/queue/claim', { labeler: 'ann', limit: 6 }, ann);
    expect(all.body.items).toHaveLength(6);
  });

  it('when an ingest key sends batches of every length, then the SQLite statements kept stay within their text budget', async () => {
    const ingest = (await server.driftloop.services.keys.create('ingest', 'feeder')).key;
    const f = await setupModel({ ...server, request: (m: string, p: string, b?: unknown) => server.request(m, p, b, ADMIN) } as TestServer, 'fed', {});
    const predictions = Array.from({ length: 200 }, (_, i) => ({ id: `q-${i}`, embedding: f.data.point(i % 3), scores: UNSURE }));
    expect((await server.request('POST', '/v1/models/fed/predictions', { predictions }, ingest)).status).toBe(200);
    // Each length reads the stored ids with a statement text of its own; all are answered as duplicates.
    await hostile(200, async (i) => {
      const res = await server.request('POST', '/v1/models/fed/predictions', { predictions: predictions.slice(0, i + 1) }, ingest);
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
      expect(res.body.duplicates).toBe(i + 1);
    });
    const chars = await held(server, 'sqlite_statement_chars');
    expect(chars).toBeLessThanOrEqual(await held(server, 'sqlite_statement_chars', 'driftloop_held_entries_cap'));
    expect(await held(server, 'sqlite_statements')).toBeLessThanOrEqual(await held(server, 'sqlite_statements', 'driftloop_held_entries_cap'));
    // On SQLite the budget is what held them: the texts sent add up to more than it.
    if (process.env.DRIFTLOOP_TEST_DIALECT !== 'postgres') expect(chars).toBeGreaterThan(STATEMENT_CHARS / 2);
  });

  it('when strangers send many distinct unknown keys, then each is refused and none is remembered', async () => {
    const before = await held(server, 'api_keys_in_force');
    await hostile(600, async (i) => {
      const res = await fetch(`${server.url}/v1/models/ranked`, { headers: { authorization: `Bearer dl_admin_guess${i}` } });
      expect(res.status).toBe(401);
      await res.arrayBuffer();
    });
    expect(await held(server, 'api_keys_in_force')).toBe(before);
  });

  it('when requests go to many distinct paths, then the HTTP metrics gain no series (their route label is the pattern)', async () => {
    const series = async () => (await (await fetch(`${server.url}/metrics`)).text()).split('\n').filter((l) => l.startsWith('driftloop_http_requests_total{')).length;
    const probe = (i: number) => Promise.all([`/v1/models/nope-${i}`, `/nowhere/${i}`, `/v1/models/ranked/queue/items/${i}/renew?x${i}=1`, `/ui/models/m${i}/report`].map(async (p) => (await fetch(`${server.url}${p}`, { headers: { authorization: `Bearer ${ADMIN}` } })).arrayBuffer()));
    await hostile(5, (i) => probe(i).then(() => undefined));
    const first = await series();
    await hostile(300, (i) => probe(100 + i).then(() => undefined));
    expect(await series()).toBe(first);
  });
});
