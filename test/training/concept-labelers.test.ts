import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { ClusteredData, retrain } from '../support/training-fixtures.js';

const ADMIN = 'admin-key-concept-labelers-0123456789';

/**
 * A concept joins the taxonomy only when at least retrain.minConceptLabelers (2) distinct
 * labelers proposed it: one label key alone cannot add a concept to the model (found by a
 * hostile-client review, where 31 labels from one key added 'evil' to the champion).
 */
describe('concepts proposed by one labeler alone', () => {
  let server: TestServer;
  let asAdmin: TestServer;
  const keys: Record<string, string> = {};
  const world = new ClusteredData({ dim: 12, clusters: 4, spread: 0.6, seed: 17 });
  const admin = (method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown) => server.request(method, path, body, ADMIN);
  let sent = 0;
  /** The app forwards inputs of the unplanned cluster; `labeler` claims them and proposes 'ipa' for each. */
  const propose = async (labeler: string, count: number) => {
    const predictions = Array.from({ length: count }, () => ({ id: `p-${sent++}`, embedding: world.point(3), scores: { c0: 0.34, c1: 0.33, c2: 0.33 } }));
    expect((await admin('POST', '/v1/models/beer/predictions', { predictions })).status).toBe(200);
    const claimed = await server.request('POST', '/v1/models/beer/queue/claim', { labeler, limit: count }, keys[labeler]);
    const labels = (claimed.body.items as { itemId: string }[]).map((i) => ({ itemId: i.itemId, labeler, concepts: [], newConcepts: ['ipa'] }));
    expect(labels).toHaveLength(count);
    expect((await server.request('POST', '/v1/models/beer/labels', { labels }, keys[labeler])).body.accepted).toBe(count);
  };

  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN } });
    asAdmin = { ...server, request: (m, p, body, key) => server.request(m, p, body, key ?? ADMIN) };
    for (const name of ['ann', 'ben']) keys[name] = (await server.driftloop.services.keys.create('label', name)).key;
    expect((await admin('PUT', '/v1/models/beer', { task: 'multiclass', embeddingDim: 12, concepts: [{ id: 'c0' }, { id: 'c1' }, { id: 'c2' }] })).status).toBe(201);
    const known = new ClusteredData({ ...world.spec });
    const examples = Array.from({ length: 150 }, (_, i) => ({ id: `o${i}`, embedding: known.point(i % 3), concepts: [`c${i % 3}`] }));
    expect((await admin('POST', '/v1/models/beer/examples', { examples })).status).toBe(200);
  });
  afterAll(() => server.stop());

  it('when one labeler proposed it, however often, then it stays out of the next version; when a second labeler proposes it too, then it joins', async () => {
    await propose('ann', 25);
    expect((await admin('GET', '/v1/models/beer/queue')).body.newConcepts).toEqual([{ concept: 'ipa', labels: 25, labelers: 1 }]);
    await retrain(asAdmin, 'beer');
    const [v1] = (await admin('GET', '/v1/models/beer/versions')).body;
    expect(v1.concepts).toEqual(['c0', 'c1', 'c2']);
    expect(v1.trainedOn.addedConcepts).toEqual([]);

    await propose('ben', 3);
    expect((await admin('GET', '/v1/models/beer/queue')).body.newConcepts).toEqual([{ concept: 'ipa', labels: 28, labelers: 2 }]);
    await retrain(asAdmin, 'beer');
    const v2 = (await admin('GET', '/v1/models/beer/versions')).body[1];
    expect(v2.trainedOn.addedConcepts).toEqual(['ipa']);
    expect(v2.concepts).toEqual(['c0', 'c1', 'c2', 'ipa']);
  });
});
