import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureLabels } from '../support/labeled-production.js';
import { predictionFor, seedModel, type SeededModel } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { retrain, waitForJob } from '../support/training-fixtures.js';

describe('the first champion needs held-out evidence', () => {
  let server: TestServer;
  const labels = new FixtureLabels();
  let tiny: SeededModel;
  const model = (name: string) => server.driftloop.services.models.get(name);
  const versions = async (name: string) => (await server.request('GET', `/v1/models/${name}/versions`)).body as any[];
  const trigger = async (name: string) => server.driftloop.services.training.maybeAutoRetrain(await model(name));
  const anHourAgo = () => new Date(Date.now() - 3_600_000).toISOString();
  const labelTiny = async (prefix: string, count: number, labeledAt?: string) =>
    labels.label(
      (await model('tiny')).id,
      Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, embedding: tiny.data.point(i % 3), concepts: [`c${i % 3}`], labeledAt })),
    );

  beforeAll(async () => {
    server = await startTestServer({ replace: { labeledSource: () => labels } });
    // Four examples per concept: one of the twelve falls in the eval split. Such data used to make a champion.
    tiny = await seedModel(server, { name: 'tiny', clusters: 3, examples: 12, seed: 3, settings: { retrain: { minNewLabels: 3, cooldownMinutes: 0 } } });
    // The same examples (same seed), never trained: what "no champion" meant before any version existed.
    await seedModel(server, { name: 'untrained', clusters: 3, examples: 12, seed: 3 });
  });
  afterAll(() => server.stop());

  it('when a model is read, then the minimum is among its settings, and an invalid one is refused', async () => {
    const got = (await server.request('GET', '/v1/models/tiny')).body;
    expect(got.settings.retrain).toMatchObject({ minEvalExamples: 30, minEvalPerConcept: 5 });
    const bad = await server.request('PUT', '/v1/models/tiny', {
      task: 'multiclass',
      embeddingDim: 16,
      concepts: tiny.concepts.map((id) => ({ id })),
      settings: { retrain: { minEvalExamples: 0, minEvalPerConcept: 1.5 } },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/settings\.retrain\.minEvalExamples/);
    expect(JSON.stringify(bad.body)).toMatch(/settings\.retrain\.minEvalPerConcept/);
  });

  it('when the first version is evaluated on a handful of held-out examples, then it stays a challenger with the reason, and the model has no champion', async () => {
    await labelTiny('old', 4, anHourAgo());
    const job = await retrain(server, 'tiny');
    expect(job.result).toMatchObject({ version: 1, status: 'challenger', promoted: false });
    const [v1] = await versions('tiny');
    const { original, production } = v1.trainedOn;
    const held = original.eval + production.eval;
    expect(held).toBeLessThan(30);
    expect(v1).toMatchObject({ status: 'challenger', promotedAt: null });
    expect(v1.decision).toMatchObject({
      promote: false,
      champion: null,
      evidence: { examples: held, clean: original.eval, production: production.eval, required: { examples: 30, perConcept: 5 }, sufficient: false },
      promotions: [],
    });
    expect(job.result.reason).toBe(v1.decision.reason);
    expect(v1.decision.reason).toContain(`no champion yet, and too little held-out data for this version's metrics to mean much: ${held} held-out eval example${held === 1 ? '' : 's'} (${original.eval} clean, ${production.eval} production)`);
    expect(v1.decision.reason).toMatch(/where retrain\.minEvalExamples asks 30 and retrain\.minEvalPerConcept 5; below the per-concept minimum: c0 \(\d\)/);
    expect(v1.decision.reason).toMatch(/; an admin may still promote it by hand$/);
    expect((await server.request('GET', '/v1/models/tiny')).body.champion).toBeNull();
    expect((await server.request('POST', '/v1/models/tiny/predict', { embeddings: [tiny.data.point(0)] })).status).toBe(409);

    const report = await server.request('GET', '/v1/models/tiny/report?format=json');
    expect(report.body.versions[0].decision).toMatchObject({ promote: false, reason: v1.decision.reason });
    const page = await (await fetch(`${server.url}/v1/models/tiny/report`)).text();
    expect(page).toContain(`not promoted</strong>: no champion yet, and too little held-out data for this version`);
    const dashboard = String((await server.request('GET', '/')).body);
    const row = dashboard.slice(dashboard.indexOf('>tiny<'), dashboard.indexOf('</tr>', dashboard.indexOf('>tiny<')));
    expect(row).toContain('none yet');
    expect(row).toMatch(/title="no champion yet, and too little held-out data[^"]*">v1 not promoted<\/a>/);
    expect(page).toContain(`${held} held-out eval example${held === 1 ? '' : 's'} (${original.eval} clean, ${production.eval} production)`);
  });

  it('when predictions arrive while no version is champion, then they are stored and scored as for a model never trained', async () => {
    const batch = [predictionFor(tiny, 'p-in', 1), predictionFor(tiny, 'p-far', 0, { outlier: true }), predictionFor(tiny, 'p-unsure', 2, { top: 0.4 })];
    const ingest = (name: string) => server.request('POST', `/v1/models/${name}/predictions`, { predictions: batch });
    const [refused, untrained] = [await ingest('tiny'), await ingest('untrained')];
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ accepted: 3 });
    expect(refused.body.results).toEqual(untrained.body.results);
    expect(refused.body.results).toHaveLength(3);
    expect(refused.body.results[0]).toMatchObject({ id: 'p-in', ood: { score: expect.any(Number) }, uncertainty: expect.any(Number), priority: expect.any(Number) });
  });

  it('when labels wait after a refused first version, then the automatic trigger counts only labels newer than it, instead of retraining on the same data again and again', async () => {
    const none = await trigger('tiny');
    expect(none).toMatchObject({ queued: false, reason: 'not_enough_labels' });
    const [v1] = await versions('tiny');
    expect((none as { message: string }).message).toBe(`0 labels since ${v1.trainedOn.dataAsOf} (the last version's data; no champion yet); 3 needed`);

    await labelTiny('new', 3);
    const queued = await trigger('tiny');
    expect(queued).toMatchObject({ queued: true, newLabels: 3 });
    const job = await waitForJob(server, (queued as { jobId: string }).jobId);
    expect(job.result).toMatchObject({ version: 2, status: 'challenger', promoted: false });
    expect(await trigger('tiny')).toMatchObject({ queued: false, reason: 'not_enough_labels', message: expect.stringMatching(/^0 labels since .* \(the last version's data; no champion yet\)/) });
  });

  it('when an admin promotes the refused version by hand, then it becomes champion and the record keeps the rule’s verdict beside the manual promotion', async () => {
    const res = await server.request('POST', '/v1/models/tiny/versions/2/promote');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 2, status: 'champion', promotedAt: expect.any(String) });
    expect(res.body.decision).toMatchObject({ promote: false, evidence: { sufficient: false }, promotions: [{ by: 'manual', replaced: null, at: res.body.promotedAt }] });
    expect((await server.request('GET', '/v1/models/tiny')).body.champion).toMatchObject({ version: 2 });
    const predicted = await server.request('POST', '/v1/models/tiny/predict', { embeddings: [tiny.data.point(0)] });
    expect(predicted).toMatchObject({ status: 200, body: { version: 2 } });
    expect(await trigger('tiny')).toMatchObject({ message: expect.stringMatching(/\(the champion's data\)/) });
  });

  it('when the owner lowers the minimum, then the same small data makes a first champion by the rule', async () => {
    await seedModel(server, { name: 'tiny-ok', clusters: 3, examples: 12, seed: 3, settings: { retrain: { minEvalExamples: 1, minEvalPerConcept: 0 } } });
    const job = await retrain(server, 'tiny-ok');
    expect(job.result).toMatchObject({ version: 1, status: 'champion', promoted: true, reason: expect.stringMatching(/^first champion of the model: evaluated on \d+ held-out eval examples? \(/) });
    const [v1] = await versions('tiny-ok');
    expect(v1.decision).toMatchObject({ evidence: { required: { examples: 1, perConcept: 0 }, sufficient: true }, promotions: [{ by: 'rule', replaced: null }] });
  });
});
