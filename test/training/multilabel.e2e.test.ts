import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusteredData } from '../support/clustered-data.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { waitForJob } from '../support/training-fixtures.js';

const CONCEPTS = ['foam', 'glass', 'bar'];
/** The owner's thresholds for the app's forwarded scores, set by hand before any training. */
const OWNER_THRESHOLDS = { bar: 0.4 };

/** The app's own sigmoid scores: clearly on for the concepts in `on`, clearly off for the rest. */
function appScores(on: number[], jitter: number): Record<string, number> {
  return Object.fromEntries(CONCEPTS.map((c, i) => [c, on.includes(i) ? 0.82 + jitter : 0.12 + jitter]));
}

/**
 * The multilabel path as an integrating team runs it: examples, the app's predictions, claims
 * labeled with several concepts, retraining, promotion and a rollback. The owner's thresholds
 * read the app's scores; a promoted version's own tuned thresholds stay inside the version.
 */
describe('multilabel end to end', () => {
  let server: TestServer;
  const data = new ClusteredData({ dim: 12, clusters: 3, spread: 0.35, seed: 21 });
  /** Confident app predictions over the training distribution: the same scores go out before and after promotion. */
  const confident = Array.from({ length: 60 }, (_, i) => ({ cluster: i % 3, scores: appScores([i % 3], (i % 5) * 0.01) }));
  const before: { uncertainty: number; queued: boolean }[] = [];
  let uncertainAddedBefore = -1;
  let n = 0;

  async function post(predictions: unknown[]) {
    const res = await server.request('POST', '/v1/models/tags/predictions', { predictions });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.results as { id: string; uncertainty: number; queued: boolean }[];
  }
  const sendConfident = () => post(confident.map((p) => ({ id: `conf-${n++}`, embedding: data.point(p.cluster), scores: p.scores })));
  const model = async () => (await server.request('GET', '/v1/models/tags')).body;
  const openUncertain = async (): Promise<number> => (await server.request('GET', '/v1/models/tags/queue')).body.byReason.uncertain ?? 0;

  async function retrainTags() {
    const res = await server.request('POST', '/v1/models/tags/retrain');
    expect(res.status).toBe(202);
    const job = await waitForJob(server, res.body.jobId);
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    return job.result as { version: number; status: string };
  }

  beforeAll(async () => {
    server = await startTestServer();
    const put = await server.request('PUT', '/v1/models/tags', {
      task: 'multilabel',
      embeddingDim: 12,
      concepts: CONCEPTS.map((id) => ({ id })),
      settings: { scoring: { thresholds: OWNER_THRESHOLDS }, retrain: { epochs: 25, minConceptLabels: 1 } },
    });
    expect(put.status).toBe(201);
    // Single-concept examples per cluster, and pairs of concepts in between two clusters.
    const examples = Array.from({ length: 180 }, (_, i) => {
      const c = i % 3;
      const pair = i % 6 === 0;
      const embedding = pair ? data.point(c).map((x, d) => (x + data.centers[(c + 1) % 3]![d]!) / 2) : data.point(c);
      return { id: `ex-${i}`, embedding, concepts: pair ? [CONCEPTS[c]!, CONCEPTS[(c + 1) % 3]!] : [CONCEPTS[c]!] };
    });
    expect((await server.request('POST', '/v1/models/tags/examples', { examples })).status).toBe(200);

    const open = await openUncertain();
    before.push(...(await sendConfident()));
    uncertainAddedBefore = (await openUncertain()) - open;

    // Unsure app predictions go to the queue; labelers answer with one or two concepts.
    const unsure = Array.from({ length: 45 }, (_, i) => ({ id: `unsure-${i}`, embedding: data.point(i % 3), scores: { foam: 0.52, glass: 0.47, bar: 0.5 } }));
    await post(unsure);
    const claimed = await server.request('POST', '/v1/models/tags/queue/claim', { labeler: 'ann', limit: 50 });
    expect(claimed.status).toBe(200);
    const items = claimed.body.items as { itemId: string; predictionId: string }[];
    expect(items.length).toBeGreaterThanOrEqual(30);
    const labels = items.map((it) => {
      const c = Number(it.predictionId.split('-')[1]) % 3;
      return { itemId: it.itemId, labeler: 'ann', concepts: c === 0 ? ['foam', 'glass'] : [CONCEPTS[c]!] };
    });
    const labeled = await server.request('POST', '/v1/models/tags/labels', { labels });
    expect(labeled.status, JSON.stringify(labeled.body)).toBe(200);
  }, 120_000);
  afterAll(() => server.stop());

  it('when the first version is trained and promoted, then the owner’s scoring thresholds stay as set and the version keeps its own', async () => {
    const v1 = await retrainTags();
    expect(v1).toMatchObject({ version: 1, status: 'champion' });
    const [version] = (await server.request('GET', '/v1/models/tags/versions')).body;
    expect(version.thresholds.kind).toBe('multilabel');
    expect(Object.keys(version.thresholds.perConcept)).toEqual(CONCEPTS);
    expect((await model()).settings.scoring.thresholds).toEqual(OWNER_THRESHOLDS);
  }, 120_000);

  it('when the app sends the same scores after the promotion, then their uncertainty and queueing are unchanged', async () => {
    const open = await openUncertain();
    const after = await sendConfident();
    after.forEach((r, i) => expect(r.uncertainty).toBe(before[i]!.uncertainty));
    // None of these confident predictions is uncertain by the owner's thresholds, before or after.
    expect(uncertainAddedBefore).toBe(0);
    expect((await openUncertain()) - open).toBe(0);
    // Queued only for being out of distribution or a k-NN disagreement, as few after as before.
    const queued = (rs: { queued: boolean }[]) => rs.filter((r) => r.queued).length;
    expect(queued(before)).toBeLessThanOrEqual(confident.length * 0.15);
    expect(queued(after)).toBeLessThanOrEqual(confident.length * 0.15);
  }, 60_000);

  it('when predict is asked, then it answers with the champion version’s own thresholds and the concepts they select', async () => {
    const [version] = (await server.request('GET', '/v1/models/tags/versions')).body;
    const res = await server.request('POST', '/v1/models/tags/predict', { embeddings: [data.point(1), data.point(2)] });
    expect(res.status).toBe(200);
    expect(res.body.thresholds).toEqual(version.thresholds.perConcept);
    res.body.scores.forEach((s: Record<string, number>, i: number) => {
      expect(res.body.predicted[i]).toEqual(CONCEPTS.filter((c) => s[c]! >= version.thresholds.perConcept[c]));
    });
    expect(res.body.predicted[0]).toContain('glass');
  });

  it('when another version is promoted and then rolled back, then the owner’s thresholds never change', async () => {
    const v2 = await retrainTags();
    expect(v2.version).toBe(2);
    if (v2.status !== 'champion') expect((await server.request('POST', '/v1/models/tags/versions/2/promote')).status).toBe(200);
    expect((await model()).settings.scoring.thresholds).toEqual(OWNER_THRESHOLDS);
    const rollback = await server.request('POST', '/v1/models/tags/versions/1/promote');
    expect(rollback.status).toBe(200);
    expect(rollback.body.status).toBe('champion');
    expect((await model()).settings.scoring.thresholds).toEqual(OWNER_THRESHOLDS);
    const [v1] = (await server.request('GET', '/v1/models/tags/versions')).body.filter((v: { version: number }) => v.version === 1);
    const predicted = await server.request('POST', '/v1/models/tags/predict', { embeddings: [data.point(0)] });
    expect(predicted.body.version).toBe(1);
    expect(predicted.body.thresholds).toEqual(v1.thresholds.perConcept);
  }, 120_000);

  it('when the owner changes the thresholds by hand, then that change holds and a promotion keeps it', async () => {
    const put = await server.request('PUT', '/v1/models/tags', {
      task: 'multilabel',
      embeddingDim: 12,
      concepts: CONCEPTS.map((id) => ({ id })),
      settings: { scoring: { thresholds: { foam: 0.35, bar: 0.4 } } },
    });
    expect(put.status).toBe(200);
    expect((await server.request('POST', '/v1/models/tags/versions/2/promote')).status).toBe(200);
    expect((await model()).settings.scoring.thresholds).toEqual({ foam: 0.35, bar: 0.4 });
  }, 60_000);
});
