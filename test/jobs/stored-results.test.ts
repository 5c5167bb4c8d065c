import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve, type Schema } from '../support/fuzz.js';
import { violations } from '../support/openapi-conformance.js';
import { startTestServer, type TestServer } from '../support/server.js';

const evalSet = (name: 'production-eval' | 'clean-eval', size: number) => ({ name, size, digest: '3f1c0a9b7d2e4c65', asOf: '2026-12-01T09:14:03.512Z' });
const metrics = { clean: { count: 30, accuracy: 0.9333, macroF1: 0.9312 }, production: { count: 12, accuracy: 0.8333, macroF1: 0.8148 } };

/** Results of the shapes older releases stored, as their retrain jobs wrote them. */
const OLD_RESULTS = {
  // Before the sign-flip test (2026-12-02): the bootstrap p decided, and there is no randomisation.
  bootstrapDecided: {
    version: 3,
    status: 'challenger',
    promoted: false,
    reason: 'beats champion v2 on production eval (macro-F1 0.815 vs 0.790 on the same 12 production-eval items) but within noise: paired bootstrap p = 0.21 ≥ alpha 0.05',
    metrics,
    decision: {
      evalSets: { production: evalSet('production-eval', 12), clean: evalSet('clean-eval', 30) },
      significance: {
        test: 'paired bootstrap of production macro-F1 (2000 resamples)',
        alpha: 0.05,
        significant: false,
        bootstrap: { difference: 0.0248, interval: [-0.031, 0.083], level: 0.9, pValue: 0.2104, resamples: 2000, seed: 42 },
        mcnemar: { candidateOnly: 2, championOnly: 1, pValue: 1 },
      },
    },
  },
  // Before the paired comparison (2026-11-30): no decision at all.
  beforePairedComparison: { version: 1, status: 'champion', promoted: true, reason: 'first champion of the model', metrics },
};

/**
 * A succeeded retrain job's result is served as it was stored, whatever release stored it, and
 * the OpenAPI document describes it: a typed client reading a job must allow for the older shapes.
 */
describe('stored retrain results', () => {
  let server: TestServer;
  let doc: Schema;
  beforeAll(async () => {
    server = await startTestServer();
    expect((await server.request('PUT', '/v1/models/old', { task: 'multiclass', embeddingDim: 4, concepts: [{ id: 'c0' }, { id: 'c1' }] })).status).toBe(201);
    const modelId = (await server.driftloop.services.models.get('old')).id;
    // Written as the runner of those releases wrote a succeeded job, into the migrated database.
    await server.driftloop.services.database.db
      .insertInto('jobs')
      .values(
        Object.entries(OLD_RESULTS).map(([id, result]) => ({
          id,
          model_id: modelId,
          type: 'retrain',
          status: 'succeeded' as const,
          retry_of: null,
          params_json: JSON.stringify({ trigger: 'manual' }),
          progress_json: JSON.stringify({ phase: 'done', fraction: 1, epoch: 40, epochs: 40 }),
          result_json: JSON.stringify(result),
          error_json: null,
          created_at: '2026-12-01T09:13:58.001Z',
          started_at: '2026-12-01T09:13:58.020Z',
          finished_at: '2026-12-01T09:14:04.870Z',
          owner: null,
          lease_expires_at: null,
        })),
      )
      .execute();
    doc = (await server.request('GET', '/openapi.json')).body;
  });
  afterAll(() => server.stop());

  it.each(Object.keys(OLD_RESULTS) as (keyof typeof OLD_RESULTS)[])(
    'when a retrain result of an older shape (%s) is read, then it is served as stored and is valid against the OpenAPI schema of a job',
    async (id) => {
      const res = await server.request('GET', `/v1/jobs/${id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, type: 'retrain', model: 'old', status: 'succeeded' });
      expect(res.body.result).toStrictEqual(OLD_RESULTS[id]);
      const job = doc.paths['/v1/jobs/{id}'].get.responses['200'].content['application/json'].schema;
      expect(violations(res.body, job, doc)).toEqual([]);
    },
  );

  it('when the OpenAPI document is read, then a job’s result is the retrain result, with randomisation and the decision optional', () => {
    const result = resolve(resolve(doc.paths['/v1/jobs/{id}'].get.responses['200'].content['application/json'].schema, doc).properties.result, doc);
    expect(result.required).toEqual(['version', 'status', 'promoted', 'reason', 'metrics']);
    const significance = resolve(result.properties.decision.properties.significance, doc);
    expect(significance.required).toEqual(['test', 'alpha', 'significant', 'bootstrap', 'mcnemar']);
    expect(Object.keys(significance.properties)).toContain('randomisation');
    // A result of today's shape is valid too.
    const today = structuredClone(OLD_RESULTS.bootstrapDecided) as any;
    today.decision.significance.randomisation = { difference: 0.0248, pValue: 0.25, discordant: 3, method: 'exact', draws: 8, seed: 42 };
    expect(violations(today, result, doc)).toEqual([]);
    expect(violations({ ...today, promoted: 'no' }, result, doc)).toEqual(['$.promoted: a string, not boolean']);
  });
});
