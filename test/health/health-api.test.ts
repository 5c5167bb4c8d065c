import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriftData, modelDefinition } from '../drift/support/generated.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { CONCEPTS, plantedData, Space } from './planted.js';

type Check = { name: string; status: 'ok' | 'warn'; message: string; ids?: string[]; idsTotal?: number; details: any };

const QUIET = { drift: { evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000 } };

async function health(server: TestServer, model: string): Promise<{ computedAt: string; counts: any; checks: Check[] }> {
  const res = await server.request('GET', `/v1/models/${model}/health`);
  expect(res.status).toBe(200);
  return res.body;
}

const byName = (checks: Check[], name: string) => checks.find((c) => c.name === name)!;
const sorted = (ids: string[] | undefined) => [...(ids ?? [])].sort();

describe('training-data health', () => {
  let server: TestServer;
  const planted = plantedData();

  beforeAll(async () => {
    server = await startTestServer();
    const put = await server.request('PUT', '/v1/models/planted', { task: 'multiclass', embeddingDim: planted.dim, concepts: CONCEPTS.map((id) => ({ id })), settings: { ...QUIET, drift: { ...QUIET.drift, windowSize: 100 } } });
    expect(put.status).toBe(201);
    expect((await server.request('POST', '/v1/models/planted/examples', { examples: planted.examples })).status).toBe(200);
    // Older traffic first (out of the window), then the window: 40 familiar inputs and 60 from regions training never saw.
    expect((await server.request('POST', '/v1/models/planted/predictions', { predictions: planted.predictions(50, 0).map((p) => ({ ...p, id: `old-${p.id}` })) })).status).toBe(200);
    expect((await server.request('POST', '/v1/models/planted/predictions', { predictions: planted.predictions(40, 60) })).status).toBe(200);
  });
  afterAll(() => server.stop());

  describe('when the training data has one of every planted problem', () => {
    let checks: Check[];
    beforeAll(async () => {
      checks = (await health(server, 'planted')).checks;
    });

    it('then every check is listed, in the checklist order', () => {
      expect(checks.map((c) => c.name)).toEqual(['concept_balance', 'near_duplicates', 'label_conflicts', 'train_eval_leakage', 'concept_distinctness', 'training_coverage', 'concept_spread', 'calibration_size']);
      expect(checks.filter((c) => c.name !== 'calibration_size').every((c) => c.status === 'warn')).toBe(true);
    });

    it('then the imbalance names the largest and the smallest concept', () => {
      const c = byName(checks, 'concept_balance');
      expect(c.details.largest).toMatchObject({ concept: planted.expected.largest, count: 302 });
      expect(c.details.smallest).toMatchObject({ concept: planted.expected.rare, count: 12 });
      expect(c.details.ratio).toBeCloseTo(302 / 12, 5);
      expect(c.message).toMatch(/rare only 12/);
    });

    it('then the exact and near duplicates come out as their groups', () => {
      const c = byName(checks, 'near_duplicates');
      const groups = c.details.sample.map((g: string[]) => [...g].sort());
      expect(groups.sort()).toEqual(planted.expected.duplicateGroups.map((g) => [...g].sort()).sort());
      expect(c.details.exactPairs).toBe(1);
      expect(c.details.redundant).toBe(7);
      expect(sorted(c.ids)).toEqual(planted.expected.duplicateGroups.flat().sort());
      expect(c.idsTotal).toBe(13);
    });

    it('then the near-duplicates with different concepts are the label conflict', () => {
      const c = byName(checks, 'label_conflicts');
      expect(sorted(c.ids)).toEqual(planted.expected.conflicts);
      expect(c.details.pairs).toBe(1);
      expect(c.details.sample[0].concepts.flat().sort()).toEqual(['c3', 'c4']);
    });

    it('then exactly the eval examples with a train twin are leaked', () => {
      const c = byName(checks, 'train_eval_leakage');
      expect(sorted(c.ids)).toEqual(planted.expected.leaked);
      expect(c.details.leaked).toBe(3);
      expect(c.details.sample.map((p: { ids: string[] }) => p.ids[1]).sort()).toEqual(['leak-train-0', 'leak-train-1', 'leak-train-2']);
    });

    it('then the two concepts the embedding mixes up have low purity and are the most confused pair', () => {
      const c = byName(checks, 'concept_distinctness');
      const low = c.details.purity.filter((p: { purity: number }) => p.purity < 0.8).map((p: { concept: string }) => p.concept);
      expect(low.sort()).toEqual(planted.expected.overlapping);
      expect(c.details.confused[0].concepts.sort()).toEqual(planted.expected.overlapping);
      expect(c.details.confused[0].share).toBeGreaterThan(0.3);
      expect(c.ids!.length).toBeGreaterThan(0);
      expect(c.ids!.every((id) => /^(ale|lager)-/.test(id))).toBe(true);
    });

    it('then the production inputs far from training are the uncovered ones', () => {
      const c = byName(checks, 'training_coverage');
      expect(c.details).toMatchObject({ window: 100, uncovered: 60, share: 0.6 });
      expect(c.idsTotal).toBe(60);
      expect(c.ids!.every((id) => id.startsWith('far-'))).toBe(true);
    });

    it('then the wide concept, and only it, is too wide, with its outermost examples', () => {
      const c = byName(checks, 'concept_spread');
      expect(c.details.wide).toEqual([planted.expected.wide]);
      expect(c.details.spread[0].ratio).toBeGreaterThan(2);
      expect(c.idsTotal).toBe(150);
      expect(c.ids!.every((id) => id.startsWith('wide-'))).toBe(true);
    });

    it('then the counts are per split and per concept', async () => {
      const { counts } = await health(server, 'planted');
      expect(counts.byConcept.rare).toEqual({ train: 12, eval: 3 });
      expect(counts.byConcept.c5).toEqual({ train: 103, eval: 23 });
      expect(counts.train + counts.eval).toBe(planted.examples.length);
    });
  });

  it('when the data is clean and production looks like training, then every check is ok', async () => {
    const gen = new DriftData(32, 11);
    expect((await server.request('PUT', '/v1/models/clean', modelDefinition(32, QUIET))).status).toBe(201);
    for (let i = 0; i < 4; i++) expect((await server.request('POST', '/v1/models/clean/examples', { examples: gen.examples(500) })).status).toBe(200);
    expect((await server.request('POST', '/v1/models/clean/predictions', { predictions: gen.predictions(500) })).status).toBe(200);
    const { checks, counts } = await health(server, 'clean');
    expect(checks.filter((c) => c.status !== 'ok').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
    expect(checks.every((c) => c.ids === undefined)).toBe(true);
    expect(counts.train + counts.eval).toBe(2000);
    expect(counts.eval).toBeGreaterThan(300);
  });

  it('when nothing changed, then the checklist is served from cache; when examples arrive, it is recomputed once for concurrent requests', async () => {
    const first = await health(server, 'planted');
    const again = await health(server, 'planted');
    expect(again.computedAt).toBe(first.computedAt);
    // New predictions move only the coverage window: 70 familiar ones push out 30 of the 60 far ones.
    await server.request('POST', '/v1/models/planted/predictions', { predictions: planted.predictions(70, 0).map((p) => ({ ...p, id: `later-${p.id}` })) });
    const moved = await health(server, 'planted');
    expect(moved.computedAt).toBe(first.computedAt);
    expect(byName(moved.checks, 'training_coverage').details.uncovered).toBe(30);
    const twin = planted.examples.find((e) => e.id === 'c2-0')!;
    await server.request('POST', '/v1/models/planted/examples', { examples: [{ ...twin, id: 'c2-0-again' }] });
    const [after, together] = await Promise.all([health(server, 'planted'), health(server, 'planted')]);
    expect(after.computedAt).not.toBe(first.computedAt);
    expect(together.computedAt).toBe(after.computedAt);
    expect(byName(after.checks, 'near_duplicates').ids).toContain('c2-0-again');
    expect(after.counts.train).toBe(first.counts.train + 1);
  });

  it('when the metric is l2, then the radius follows the data scale and duplicates are found the same way', async () => {
    const space = new Space(16, 9);
    const centers = [space.direction(), space.direction(), space.direction()].map((c) => c.map((x) => 100 * x));
    const examples = centers.flatMap((c, k) => Array.from({ length: 80 }, (_, i) => ({ id: `l2-${k}-${i}`, embedding: space.around(c, 30), concepts: [`k${k}`], split: 'train' as const })));
    const copy = examples[5]!;
    examples.push({ ...copy, id: 'l2-copy', embedding: space.around(copy.embedding, 2) });
    const def = { task: 'multiclass', embeddingDim: 16, metric: 'l2', concepts: ['k0', 'k1', 'k2'].map((id) => ({ id })), settings: QUIET };
    expect((await server.request('PUT', '/v1/models/scaled', def)).status).toBe(201);
    expect((await server.request('POST', '/v1/models/scaled/examples', { examples })).status).toBe(200);
    const { checks } = await health(server, 'scaled');
    const dup = byName(checks, 'near_duplicates');
    expect(sorted(dup.ids)).toEqual(['l2-0-5', 'l2-copy']);
    // A quarter of the typical neighbour distance, in the data's own units (~100 per axis here).
    expect(dup.details.radius).toBeGreaterThan(10);
    // Only train examples: leave-one-out calibration, which calibration_size flags.
    expect(checks.filter((c) => c.status === 'warn').map((c) => c.name)).toEqual(['near_duplicates', 'calibration_size']);
  });

  it('when a model has no examples yet, then balance warns and the rest has nothing to report', async () => {
    expect((await server.request('PUT', '/v1/models/empty', modelDefinition(8, QUIET))).status).toBe(201);
    const { checks, counts } = await health(server, 'empty');
    expect(counts).toMatchObject({ train: 0, eval: 0 });
    expect(checks.filter((c) => c.status === 'warn').map((c) => c.name)).toEqual(['concept_balance']);
    expect(byName(checks, 'concept_balance').message).toMatch(/No train examples yet/);
  });

  it('when the eval split is small for ood.quantile, then calibration_size warns with the false-alarm range and the size that would do; a large split passes', async () => {
    const gen = new DriftData(8, 4);
    for (const [name, evalCount] of [['smallcal', 124], ['largecal', 400]] as const) {
      expect((await server.request('PUT', `/v1/models/${name}`, modelDefinition(8, QUIET))).status).toBe(201);
      const examples = gen.examples(300 + evalCount, name).map((e, i) => ({ ...e, split: i < 300 ? 'train' : 'eval' }));
      expect((await server.request('POST', `/v1/models/${name}/examples`, { examples })).status).toBe(200);
    }
    const small = byName((await health(server, 'smallcal')).checks, 'calibration_size');
    expect(small.status).toBe('warn');
    expect(small.details).toMatchObject({ source: 'eval', size: 124, quantile: 0.95, recommended: 256 });
    // Beta(7, 118): the 5% and 95% quantiles of the false-alarm rate (scipy.stats.beta.ppf).
    expect(small.details.low).toBeCloseTo(0.0267912, 6);
    expect(small.details.high).toBeCloseTo(0.0932643, 6);
    expect(small.message).toMatch(/124 eval examples.*2\.7%–9\.3%.*256 or more/);
    const large = byName((await health(server, 'largecal')).checks, 'calibration_size');
    expect(large).toMatchObject({ status: 'ok', details: { size: 400 } });
  });

  it('when the OpenAPI document is read, then it describes the checklist route and its eight checks', async () => {
    const res = await server.request('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.paths['/v1/models/{model}/health'].get.responses['200']).toBeDefined();
    const union = res.body.components.schemas.HealthCheck;
    expect(union.oneOf ?? union.anyOf).toHaveLength(8);
  });

  it('when the model does not exist, then it answers 404 in the error shape', async () => {
    const res = await server.request('GET', '/v1/models/nope/health');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
