import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productionSplit } from '../../src/util/hash-split.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ClusteredData, retrain } from '../support/training-fixtures.js';

const ADMIN = 'admin-key-new-concept-0123456789';

/**
 * A concept proposed by labelers (retrain.minConceptLabels, 20) that joins in the first version:
 * the clean eval set has none of it, so its held-out evidence is the fifth of its labels that
 * falls in production eval, about 4, below retrain.minEvalPerConcept (5). The version stays a
 * challenger naming the concept until enough of its labels are held out. The labels go the way
 * a labeler gives them: the app's predictions enter the queue, a label key claims them and
 * proposes the concept through POST .../labels.
 */
describe('the first champion with a concept proposed by labelers', () => {
  let server: TestServer;
  let admin: TestServer;
  let labelKey: string;
  // Four clusters, but the taxonomy knows three: cluster 3 is what labelers propose as 'ipa'.
  const world = new ClusteredData({ dim: 12, clusters: 4, spread: 0.6, seed: 17 });
  /** The app forwards predictions it is unsure of; the labeler 'ann' claims them all and proposes 'ipa' for each. */
  const proposeIpa = async (ids: string[]) => {
    const predictions = ids.map((id) => ({ id, embedding: world.point(3), scores: { c0: 0.34, c1: 0.33, c2: 0.33 } }));
    const sent = await admin.request('POST', '/v1/models/beer/predictions', { predictions });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body.results.filter((r: { queued: boolean }) => r.queued)).toHaveLength(ids.length);
    const claimed = await server.request('POST', '/v1/models/beer/queue/claim', { labeler: 'ann', limit: ids.length }, labelKey);
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    const items = claimed.body.items as { itemId: string; predictionId: string }[];
    expect(items.map((i) => i.predictionId).sort()).toEqual([...ids].sort());
    const labels = items.map((i) => ({ itemId: i.itemId, labeler: 'ann', concepts: [], newConcepts: ['ipa'] }));
    const labeled = await server.request('POST', '/v1/models/beer/labels', { labels }, labelKey);
    expect(labeled.status, JSON.stringify(labeled.body)).toBe(200);
    expect(labeled.body.accepted).toBe(ids.length);
  };
  const split = async (id: string) => productionSplit(await server.driftloop.services.models.get('beer'), id);
  const heldOut = async (ids: string[]) => (await Promise.all(ids.map(split))).filter((s) => s === 'eval').length;
  /** `n` prediction ids of which the model's split holds out exactly `held` (the first `held` it would). */
  const idsHoldingOut = async (prefix: string, n: number, held: number) => {
    const evals: string[] = [];
    const trains: string[] = [];
    for (let i = 0; evals.length < held || trains.length < n - held; i++) (await split(`${prefix}${i}`)) === 'eval' ? evals.push(`${prefix}${i}`) : trains.push(`${prefix}${i}`);
    return [...evals.slice(0, held), ...trains.slice(0, n - held)];
  };
  const versions = async () => (await admin.request('GET', '/v1/models/beer/versions')).body as any[];
  const taxonomy = async () => (await admin.request('GET', '/v1/models/beer')).body.concepts.map((c: { id: string }) => c.id);

  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN } });
    admin = { ...server, request: (m, p, body, key) => server.request(m, p, body, key ?? ADMIN) };
    labelKey = (await server.driftloop.services.keys.create('label', 'ann')).key;
    expect(
      // One labeler proposes the concept here: a team of one (test/training/concept-labelers.test.ts has the default of two).
      (await admin.request('PUT', '/v1/models/beer', { task: 'multiclass', embeddingDim: 12, concepts: [{ id: 'c0' }, { id: 'c1' }, { id: 'c2' }], settings: { retrain: { minConceptLabelers: 1 } } })).status,
    ).toBe(201);
    // 50 originals per known concept: its clean eval alone clears the per-concept minimum.
    const known = new ClusteredData({ ...world.spec });
    const examples = Array.from({ length: 150 }, (_, i) => ({ id: `o${i}`, embedding: known.point(i % 3), concepts: [`c${i % 3}`] }));
    expect((await admin.request('POST', '/v1/models/beer/examples', { examples })).status).toBe(200);
  });
  afterAll(() => server.stop());

  it('when the proposed concept joins the first version with 4 held-out items, then the version stays a challenger whose reason names it, and it does not join the taxonomy', async () => {
    const first = await idsHoldingOut('ipa-', 20, 4);
    expect(await heldOut(first), 'the hash split holds out 4 of these ids').toBe(4);
    await proposeIpa(first);
    const job = await retrain(admin, 'beer');
    expect(job.result).toMatchObject({ version: 1, status: 'challenger', promoted: false });
    const [v1] = await versions();
    expect(v1.concepts).toEqual(['c0', 'c1', 'c2', 'ipa']);
    expect(v1.trainedOn.addedConcepts).toEqual(['ipa']);
    expect(v1.decision.evidence.perConcept.ipa).toBe(4);
    for (const c of ['c0', 'c1', 'c2']) expect(v1.decision.evidence.perConcept[c], c).toBeGreaterThanOrEqual(5);
    expect(v1.decision.evidence.examples).toBeGreaterThanOrEqual(30);
    expect(v1.decision.evidence.sufficient).toBe(false);
    // The concept is the only reason, named with its count.
    expect(v1.decision.reason).toMatch(/where retrain\.minEvalExamples asks 30 and retrain\.minEvalPerConcept 5; below the per-concept minimum: ipa \(4\); an admin may still promote it by hand$/);
    expect(job.result.reason).toBe(v1.decision.reason);
    expect((await admin.request('GET', '/v1/models/beer')).body.champion).toBeNull();
    // The taxonomy grows on promotion only.
    expect(await taxonomy()).toEqual(['c0', 'c1', 'c2']);
  });

  it('when more of its labels arrive and enough of them are held out, then the next version becomes the first champion and the concept joins the taxonomy', async () => {
    const more = await idsHoldingOut('ipa-more-', 30, 6);
    expect(await heldOut(more), 'the hash split holds out 6 of these ids').toBe(6);
    await proposeIpa(more);
    const job = await retrain(admin, 'beer');
    expect(job.result).toMatchObject({ version: 2, status: 'champion', promoted: true, reason: expect.stringMatching(/^first champion of the model: evaluated on /) });
    const v2 = (await versions())[1];
    expect(v2.decision.evidence).toMatchObject({ sufficient: true, perConcept: { ipa: 10 } });
    expect(await taxonomy()).toEqual(['c0', 'c1', 'c2', 'ipa']);
  });
});
