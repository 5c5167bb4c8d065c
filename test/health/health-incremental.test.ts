import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainer, type Container } from '../../src/composition/container.js';
import { ownerReads } from '../../src/composition/ports.js';
import { loadConfig } from '../../src/config.js';
import type { ExampleInput } from '../../src/examples/examples.service.js';
import { HealthService } from '../../src/health/health.service.js';
import type { HealthReport } from '../../src/health/health.types.js';
import type { Model } from '../../src/models/model.js';
import { ManualClock } from '../support/clock.js';
import { databaseEnv } from '../support/database.js';
import { tempDataDir } from '../support/server.js';
import { CONCEPTS, plantedData, Space } from './planted.js';

const QUIET = { drift: { evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000 } };
const check = (r: HealthReport, name: string) => r.checks.find((c) => c.name === name)!;

/**
 * The incremental checklist against a cold one on the same data: after every step of added
 * examples, a fresh HealthService (no kept lists) over the same database and HNSW indexes must
 * give the very same report. The steps plant pairs whose one side is old: a near-twin of an old
 * train example, one with another label, an eval twin of an old train example and a train twin
 * of an old eval example, and a crowd of another concept inside an old concept's region.
 */
describe('incremental training-data health', () => {
  let s: Container;
  let model: Model;
  const clock = new ManualClock();
  const planted = plantedData(24, 11);
  const space = new Space(24, 12);
  const byId = new Map(planted.examples.map((e) => [e.id, e]));
  const twin = (id: string, newId: string, concept?: string, split?: 'train' | 'eval'): ExampleInput => {
    const e = byId.get(id)!;
    return { id: newId, embedding: space.around(e.embedding, 0.03), concepts: [concept ?? e.concepts[0]!], split: split ?? e.split };
  };

  async function cold(): Promise<HealthReport> {
    return new HealthService(ownerReads(s.database.db), s.references, clock).check(model);
  }

  async function expectEqualToCold(mode: 'cold' | 'incremental', added: number): Promise<HealthReport> {
    const incremental = await s.health.check(model);
    expect(s.health.lastUpdate(model)).toEqual({ mode, added, unproven: 0 });
    expect(incremental).toEqual(await cold());
    return incremental;
  }

  const dataDir = tempDataDir();
  async function open(): Promise<Container> {
    const config = loadConfig({ DRIFTLOOP_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...(await databaseEnv(dataDir)) });
    return createContainer(config, { log: pino({ level: 'silent' }), clock });
  }

  beforeAll(async () => {
    s = await open();
    model = (await s.models.put('steps', { task: 'multiclass', embeddingDim: planted.dim, concepts: CONCEPTS.map((id) => ({ id })), settings: QUIET })).model;
  });
  afterAll(() => s.close());

  it('when examples arrive in steps, then after each the kept lists give the report a cold computation gives', async () => {
    // Every other example first, so later steps land between old ones everywhere.
    const first = planted.examples.filter((_, i) => i % 2 === 0);
    const rest = planted.examples.filter((_, i) => i % 2 === 1);
    await s.examples.add(model, first);
    const before = await expectEqualToCold('cold', first.length);

    await s.examples.add(model, rest.slice(0, 1));
    await expectEqualToCold('incremental', 1);

    await s.examples.add(model, rest.slice(1, 300));
    await expectEqualToCold('incremental', 299);

    const oldTrain = first.find((e) => e.split === 'train' && e.concepts[0] === 'c2')!.id;
    const oldEval = first.find((e) => e.split === 'eval' && e.concepts[0] === 'c4')!.id;
    const late = [
      twin(oldTrain, 'late-dup', 'c2'),
      twin(first.find((e) => e.split === 'train' && e.concepts[0] === 'c1')!.id, 'late-conflict', 'c0'),
      twin(oldTrain, 'late-leak-eval', 'c2', 'eval'),
      twin(oldEval, 'late-leak-train', 'c4', 'train'),
    ];
    await s.examples.add(model, [...late, ...rest.slice(300)]);
    const after = await expectEqualToCold('incremental', late.length + rest.length - 300);
    expect(check(after, 'near_duplicates').ids).toEqual(expect.arrayContaining(['late-dup', oldTrain, 'late-conflict', 'late-leak-eval', 'late-leak-train', oldEval]));
    expect(check(after, 'label_conflicts').ids).toContain('late-conflict');
    expect(check(after, 'train_eval_leakage').ids).toEqual(expect.arrayContaining(['late-leak-eval', oldEval]));
    expect(check(before, 'train_eval_leakage').ids ?? []).not.toContain(oldEval);

    // A crowd of c3 inside c2's region lowers the purity of the c2 examples already there.
    const c2 = (r: HealthReport) => (check(r, 'concept_distinctness').details as any).purity.find((p: { concept: string }) => p.concept === 'c2').purity as number;
    const crowdAround = first.filter((e) => e.split === 'train' && e.concepts[0] === 'c2').slice(0, 40);
    await s.examples.add(model, crowdAround.map((e, i) => ({ id: `crowd-${i}`, embedding: space.around(e.embedding, 0.05), concepts: ['c3'], split: 'train' as const })));
    const crowded = await expectEqualToCold('incremental', 40);
    expect(c2(crowded)).toBeLessThan(c2(after) - 0.1);
  });

  it('when an example id is sent again with another label, then nothing is stored and the report stays that of a cold computation', async () => {
    const again = planted.examples.find((e) => e.concepts[0] === 'c5')!;
    expect((await s.examples.add(model, [{ ...again, concepts: ['c0'] }])).duplicates).toBe(1);
    const report = await s.health.check(model);
    expect(report).toEqual(await cold());
  });

  it('when k or the taxonomy changes, then the lists start over and still equal a cold computation', async () => {
    model = (await s.models.put('steps', { task: 'multiclass', embeddingDim: planted.dim, concepts: CONCEPTS.map((id) => ({ id })), settings: { ...QUIET, ood: { k: 6 } } })).model;
    const count = (await s.health.check(model)).counts;
    expect(s.health.lastUpdate(model)).toMatchObject({ mode: 'cold', unproven: 0 });
    await s.examples.add(model, [twin('c0-3', 'after-k-change')]);
    await expectEqualToCold('incremental', 1);
    expect(count.train + count.eval).toBe(planted.examples.length + 4 + 40);
  });

  it('when the service restarts, then it continues from the lists it saved at shutdown, and they still equal a cold computation', async () => {
    await s.health.check(model);
    await s.close();
    s = await open();
    model = await s.models.get('steps');
    await s.examples.add(model, [twin('c1-7', 'after-restart-dup'), twin('c2-eval-3', 'after-restart-leak', 'c2', 'train')]);
    await expectEqualToCold('incremental', 2);
    expect(check(await s.health.check(model), 'train_eval_leakage').ids).toContain('c2-eval-3');
  });
});
