import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedTensorflow } from '../../src/ml/tf-backend.js';
import { FixtureLabels } from '../support/labeled-production.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ClusteredData, retrain, seedModel } from '../support/training-fixtures.js';

describe('versions and promotion', () => {
  let server: TestServer;
  const labels = new FixtureLabels();
  const data = new ClusteredData({ dim: 16, clusters: 4, spread: 0.6, seed: 5 });
  const modelId = async (name: string) => (await server.driftloop.services.models.get(name)).id;
  const versions = async (name: string) => (await server.request('GET', `/v1/models/${name}/versions`)).body as any[];
  /** Production photos of c0 halfway to c1: v1 calls many of them c1, so labeling them is a real gain, not noise. */
  const towardC1 = () => data.point(0).map((x, d) => x + 0.5 * (data.centers[1]![d]! - data.centers[0]![d]!));
  const between0and1 = (count: number) => Array.from({ length: count }, (_, i) => ({ id: `ugc-${i}`, embedding: towardC1(), concepts: ['c0'] }));

  beforeAll(async () => {
    server = await startTestServer({ replace: { labeledSource: () => labels } });
    await seedModel(server, 'pint', data, { perConcept: 80 });
  });
  afterAll(() => server.stop());

  it('when the first version is trained, then it becomes champion with its lineage, metrics and backend', async () => {
    const job = await retrain(server, 'pint');
    expect(job.result).toMatchObject({ version: 1, status: 'champion', promoted: true });
    const [v1] = await versions('pint');
    expect(job.result.reason).toBe(
      `first champion of the model: evaluated on ${v1.trainedOn.original.eval} held-out eval examples (${v1.trainedOn.original.eval} clean, 0 production), fewest per concept ${Math.min(...Object.values<number>(v1.decision.evidence.perConcept))}; retrain.minEvalExamples asks 30 and retrain.minEvalPerConcept 5`,
    );
    expect(v1.decision.evidence).toMatchObject({ examples: v1.trainedOn.original.eval, required: { examples: 30, perConcept: 5 }, sufficient: true });
    expect(v1).toMatchObject({ version: 1, status: 'champion', jobId: job.id, concepts: ['c0', 'c1', 'c2', 'c3'] });
    expect(v1.backend).toBe((await sharedTensorflow()).backend);
    expect(v1.trainedOn.backend).toBe(v1.backend);
    expect(v1.trainedOn.original.fit + v1.trainedOn.original.validation + v1.trainedOn.original.eval).toBe(320);
    expect(v1.trainedOn.production).toMatchObject({ fit: 0, validation: 0, eval: 0 });
    expect(v1.durationMs).toBeGreaterThan(0);
    expect(v1.metrics.clean).toMatchObject({ count: v1.trainedOn.original.eval, confusion: { concepts: ['c0', 'c1', 'c2', 'c3'] } });
    expect(Object.keys(v1.metrics.clean.perConcept)).toEqual(['c0', 'c1', 'c2', 'c3']);
    expect(v1.metrics.clean.ece).toBeGreaterThanOrEqual(0);
    expect(v1.metrics.production).toBeNull();
    expect(v1.thresholds).toMatchObject({ kind: 'multiclass', targetPrecision: 0.9, abstain: { threshold: expect.any(Number) } });
    const model = (await server.request('GET', '/v1/models/pint')).body;
    expect(model.champion).toMatchObject({ version: 1, backend: v1.backend });
  });

  it('when labeled production data makes a version better on production eval, then it is promoted and its items join the reference distribution', async () => {
    const before = (await server.request('GET', '/v1/models/pint')).body.counts.examples;
    labels.label(await modelId('pint'), between0and1(200));
    const job = await retrain(server, 'pint');
    expect(job.result).toMatchObject({ version: 2, status: 'champion', promoted: true });
    const [v1, v2] = await versions('pint');
    expect(v1.status).toBe('retired');
    expect(v1.retiredAt).toEqual(expect.any(String));
    expect(v2.decision.reason).toMatch(/^beats champion v1 on production eval \(macro-F1 \d\.\d{4} vs \d\.\d{4} on the same \d+ production-eval items; paired sign-flip p = /);
    const { productionMacroF1, cleanMacroF1, significance } = v2.decision.comparison;
    expect(productionMacroF1.candidate).toBeGreaterThan(productionMacroF1.champion);
    // Compared on the same set at decision time, and the record says which and how many.
    expect(productionMacroF1.evalSet).toMatchObject({ name: 'production-eval', size: v2.metrics.production.count, digest: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(productionMacroF1.candidate).toBe(v2.metrics.production.macroF1);
    expect(v2.decision.champion.production.count).toBe(v2.metrics.production.count);
    expect(significance).toMatchObject({ alpha: 0.05, significant: true, bootstrap: { resamples: 2000 }, mcnemar: { candidateOnly: expect.any(Number) } });
    expect(significance.randomisation).toMatchObject({ difference: significance.bootstrap.difference, discordant: expect.any(Number), method: expect.stringMatching(/^(exact|monte-carlo)$/) });
    expect(significance.randomisation.pValue).toBeLessThan(0.05);
    expect(job.result.decision).toEqual({ evalSets: v2.decision.evalSets, significance });
    expect(cleanMacroF1.regression).toBeLessThanOrEqual(0.02);
    const p = v2.trainedOn.production;
    expect(p.fit + p.validation + p.eval).toBe(200);
    expect(p.itemIds.train.length).toBe(p.fit + p.validation);
    expect(v2.trainedOn.labelIds).toHaveLength(200);
    expect(v2.metrics.production.count).toBe(p.eval);
    expect(v2.decision.promotions).toEqual([{ at: v2.promotedAt, by: 'rule', replaced: 1 }]);

    const after = (await server.request('GET', '/v1/models/pint')).body.counts.examples;
    expect(after.train - before.train).toBe(p.fit + p.validation);
    expect(after.eval - before.eval).toBe(p.eval);
    const reference = await server.driftloop.services.references.get(await server.driftloop.services.models.get('pint'));
    expect(reference.train.size).toBe(after.train);
    expect(reference.neighbors(towardC1(), 5).map((n) => n.id.split('-')[0])).toEqual(Array(5).fill('production:ugc'));
  });

  it('when a retrain is no better on production eval, then it stays a challenger with the reason recorded', async () => {
    const job = await retrain(server, 'pint');
    expect(job.result).toMatchObject({ version: 3, status: 'challenger', promoted: false });
    expect(job.result.reason).toMatch(/^does not beat champion v2 on production eval/);
    const v3 = (await versions('pint'))[2];
    expect(v3).toMatchObject({ status: 'challenger', promotedAt: null, decision: { promote: false, reason: job.result.reason } });
    expect((await server.request('GET', '/v1/models/pint')).body.champion.version).toBe(2);
  });

  it('when a version is promoted by hand, then it becomes champion (a rollback) and predict answers from it', async () => {
    const rolledBack = await server.request('POST', '/v1/models/pint/versions/1/promote');
    expect(rolledBack.status).toBe(200);
    expect(rolledBack.body).toMatchObject({ version: 1, status: 'champion', retiredAt: null });
    expect(rolledBack.body.decision.promotions.map((p: any) => [p.by, p.replaced])).toEqual([
      ['rule', null],
      ['manual', 2],
    ]);
    expect((await versions('pint')).map((v) => v.status)).toEqual(['champion', 'retired', 'challenger']);
    const predicted = await server.request('POST', '/v1/models/pint/predict', { embeddings: [data.point(0)] });
    expect(predicted.body.version).toBe(1);

    const again = await server.request('POST', '/v1/models/pint/versions/1/promote');
    expect(again.body.decision.promotions).toHaveLength(2);
    const forward = await server.request('POST', '/v1/models/pint/versions/2/promote');
    expect(forward.body.status).toBe('champion');
    expect((await server.request('POST', '/v1/models/pint/predict', { embeddings: [data.point(0)] })).body.version).toBe(2);
  });

  it('when a manual retrain adds about one new label, then the champion keeps its place: a gain within noise is refused with the test named', async () => {
    labels.label(await modelId('pint'), [{ id: 'ugc-one-more', embedding: towardC1(), concepts: ['c0'] }]);
    const job = await retrain(server, 'pint');
    expect(job.result).toMatchObject({ version: 4, status: 'challenger', promoted: false });
    expect(job.result.reason).toMatch(/^(does not beat champion v2|the production-eval gain over champion v2 is within noise) /);
    const v4 = (await versions('pint'))[3];
    // Both versions were scored on v4's production-eval set; the paired test ran on those items.
    expect(v4.decision.champion.production.count).toBe(v4.metrics.production.count);
    expect(v4.decision.comparison.significance).toMatchObject({ significant: false, mcnemar: { pValue: expect.any(Number) } });
    expect(v4.decision.comparison.significance.randomisation.pValue).toBeGreaterThanOrEqual(0.05);
    expect((await server.request('GET', '/v1/models/pint')).body.champion.version).toBe(2);
    const report = await server.request('GET', '/v1/models/pint/report?format=json');
    expect(report.body.versions[3].decision).toMatchObject({ promote: false, evalSet: { name: 'production-eval', size: v4.metrics.production.count }, test: expect.stringMatching(/^paired sign-flip randomisation test/) });
    const page = await fetch(`${server.url}/v1/models/pint/report`);
    const text = await page.text();
    expect(text).toContain(`compared on production-eval: ${v4.metrics.production.count} items`);
    expect(text).toMatch(/not promoted<\/strong>: (does not beat champion v2|the production-eval gain over champion v2 is within noise)/);
  });

  it('when a promote names a missing or malformed version, then it answers 404 or 400', async () => {
    expect((await server.request('POST', '/v1/models/pint/versions/99/promote')).status).toBe(404);
    expect((await server.request('POST', '/v1/models/pint/versions/latest/promote')).status).toBe(400);
    expect((await server.request('POST', '/v1/models/nope/versions/1/promote')).status).toBe(404);
  });

  it('when the drift monitor asks for the champion eval statistics, then it gets top-1 scores and accuracy on the eval data', async () => {
    const model = await server.driftloop.services.models.get('pint');
    const stats = await server.driftloop.services.training.championEvalStats(model);
    const champion = (await versions('pint'))[1];
    expect(stats!.version).toBe(2);
    expect(stats!.confidences).toHaveLength(champion.metrics.clean.count + champion.metrics.production.count);
    for (const c of stats!.confidences) expect(c).toBeGreaterThan(0.25 - 1e-6);
    const pooled =
      (champion.metrics.clean.accuracy * champion.metrics.clean.count + champion.metrics.production.accuracy * champion.metrics.production.count) /
      (champion.metrics.clean.count + champion.metrics.production.count);
    expect(stats!.accuracy).toBeCloseTo(pooled, 6);
  });

  it('when production labels contradict the clean data, then the version that wins on production stays a challenger for losing clean macro-F1', async () => {
    await seedModel(server, 'flip', data, { perConcept: 60 });
    expect((await retrain(server, 'flip')).result.version).toBe(1);
    // Labelers call what looks like cluster 0 "c1" in production: a concept shift the clean eval data disagrees with.
    const flipped = Array.from({ length: 160 }, (_, i) => ({ id: `flip-${i}`, embedding: data.point(0), concepts: ['c1'] }));
    labels.label(await modelId('flip'), flipped);
    const job = await retrain(server, 'flip');
    expect(job.result).toMatchObject({ version: 2, status: 'challenger', promoted: false });
    expect(job.result.reason).toMatch(/^beats champion v1 on production eval .* but loses 0\.\d{4} macro-F1 on clean eval, more than the 0\.0200 allowed$/);
  });
});
