import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureLabels } from '../support/labeled-production.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { retrain } from '../support/training-fixtures.js';
import { untilCount } from '../support/until-count.js';
import { CONCEPTS, DriftData, modelDefinition } from './support/generated.js';

const MANUAL = { evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000, windowSize: 200 };

/**
 * The loop closes: production drifts into a region training never saw, labelers label half of
 * it, v2 learns it and is promoted. The window's predictions were scored against v1's
 * reference; the drift status and the report must now answer against v2's.
 */
describe('after a promotion, drift is re-evaluated against the new champion’s reference', () => {
  let server: TestServer;
  const labels = new FixtureLabels();
  const gen = new DriftData(8, 31);
  const drift = async () => (await server.request('GET', '/v1/models/cover/drift')).body;
  const page = async () => (await fetch(`${server.url}/v1/models/cover/report`)).text();
  let region: { id: string; embedding: number[] }[] = [];

  beforeAll(async () => {
    server = await startTestServer({ replace: { labeledSource: () => labels } });
    const settings = { drift: MANUAL, retrain: { minNewLabels: 1, cooldownMinutes: 0 } };
    expect((await server.request('PUT', '/v1/models/cover', modelDefinition(8, settings))).status).toBe(201);
    expect((await server.request('POST', '/v1/models/cover/examples', { examples: gen.examples(800) })).status).toBe(200);
    expect((await retrain(server, 'cover')).result).toMatchObject({ version: 1, status: 'champion' });
  });
  afterAll(() => server.stop());

  it('when production moves into a new region, then drift passes the threshold and the report says to collect data', async () => {
    region = gen.newRegion(140, 1);
    const predictions = [...gen.predictions(60, { confidence: [0.9, 0.9] }), ...region];
    expect((await server.request('POST', '/v1/models/cover/predictions', { predictions })).status).toBe(200);
    const body = await drift();
    expect(body.status).toBe('drift');
    expect(body.score).toBeGreaterThan(0.6);
    expect(body.rescored).toBeNull();
    const text = (await page()).replace(/<[^>]+>/g, '');
    expect(text).toContain('Drift passes the threshold.');
    expect(text).not.toContain('covers the drifted data');
  });

  it('when v2 learns the region from half of it labeled and is promoted, then the window is re-measured against its reference: status ok, and the report says v2 covers the drifted data', async () => {
    // Labeled with a concept v1 does not answer there, so v2's gain is real, not noise.
    const v1 = (await server.request('POST', '/v1/models/cover/predict', { embeddings: [region[0]!.embedding] })).body;
    const v1Says = Object.entries(v1.scores[0] as Record<string, number>).sort((a, b) => b[1] - a[1])[0]![0];
    const concept = CONCEPTS.find((c) => c !== v1Says)!;
    const model = await server.driftloop.services.models.get('cover');
    await labels.labelPredictions(server.driftloop.services.database.db, model.id, region.slice(0, 70).map((p) => ({ predictionId: p.id, concepts: [concept] })));
    const job = await retrain(server, 'cover');
    expect(job.result).toMatchObject({ version: 2, status: 'champion', promoted: true });

    // Nobody reads the drift report: the promotion itself re-measures the stored verdict the model description shows.
    const described = async () => (await server.request('GET', '/v1/models/cover')).body.drift;
    await untilCount(async () => ((await described())?.status === 'ok' ? 1 : 0), 1);
    expect(await described()).toMatchObject({ status: 'ok' });

    const body = await drift();
    expect(body.status).toBe('ok');
    expect(body.score).toBeLessThan(body.threshold);
    expect(body.rescored).toMatchObject({ version: 2, predictions: 200 });
    expect(body.rescored.oodAtIngestion).toBeGreaterThanOrEqual(120);
    expect(body.rescored.oodNow).toBe(Math.round(body.score * 200));
    expect(body.rescored.oodNow).toBeLessThan(30);

    const report = (await server.request('GET', '/v1/models/cover/report?format=json')).body;
    expect(report.drift.status).toBe('ok');
    expect(report.drift.rescored).toEqual(body.rescored);
    const html = await page();
    const text = html.replace(/<[^>]+>/g, '');
    expect(text).not.toContain('Drift passes the threshold.');
    expect(text).toContain('No drift past the threshold.');
    expect(text).toMatch(/Champion v2 covers the drifted data: of the 200 predictions of this window scored before its promotion, \d+(\.\d)?% were out of distribution then and \d+(\.\d)?% are now against its reference/);
    expect(text).toMatch(/On production eval, v2 is right on \d+(\.\d)?% of \d+ labeled items where v1 was right on \d+(\.\d)?% of the same items/);
  });

  it('when more of the same region arrives after the promotion, then it is scored in distribution at ingestion', async () => {
    const res = await server.request('POST', '/v1/models/cover/predictions', { predictions: gen.newRegion(20, 1) });
    const flagged = (res.body.results as { ood: { isOod: boolean } }[]).filter((r) => r.ood.isOod).length;
    expect(flagged).toBeLessThanOrEqual(4);
  });
});
