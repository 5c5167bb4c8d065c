import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { DriftTrigger } from '../../src/drift/drift.trigger.js';
import { EventBus } from '../../src/events/event-bus.js';
import type { Model } from '../../src/models/model.js';
import { ModelsService } from '../../src/models/models.service.js';
import { ownerReads } from '../../src/composition/ports.js';
import { ManualClock } from '../support/clock.js';
import { tempDataDir } from '../support/server.js';

const log = pino({ level: 'silent' });

describe('drift evaluation after ingestion across instances', () => {
  let database: DatabaseHandle | undefined;
  afterEach(() => database?.close());

  async function model(drift: Record<string, number> = { minIntervalSeconds: 0 }): Promise<Model> {
    database = await openDatabase({ dataDir: tempDataDir(), databaseUrl: undefined });
    const models = new ModelsService(database.db, new EventBus(), new ManualClock(), ownerReads(database.db));
    const def = { task: 'multiclass' as const, embeddingDim: 2, concepts: [{ id: 'a' }], settings: { drift: { evaluateEvery: 10, evaluateAfterSeconds: 60, ...drift } } };
    return (await models.put('m', def)).model;
  }

  it('when another instance is evaluating the model, then the waiting predictions stay counted and the evaluation runs a second later', async () => {
    const m = await model();
    const clock = new ManualClock();
    const answers = [false, true];
    const runs: number[] = [];
    const trigger = new DriftTrigger(async () => {
      runs.push(clock.now().getTime());
      return answers.shift() ?? true;
    }, clock, log);
    const t0 = clock.now().getTime();
    trigger.committed(m, 10);
    await clock.advance(0);
    expect(runs).toEqual([t0]);
    // Busy elsewhere: not retried at once (no busy loop), but within a second.
    await clock.advance(999);
    expect(runs).toHaveLength(1);
    await clock.advance(1);
    expect(runs).toEqual([t0, t0 + 1000]);
    // Ran: nothing is left waiting, so nothing runs again.
    await clock.advance(120_000);
    expect(runs).toHaveLength(2);
    await trigger.stop();
  });

  it('when the count is reached while a later timer waits, then the evaluation runs at the minimum interval, not at the later timer; and a new champion makes one due', async () => {
    const m = await model({ minIntervalSeconds: 5 });
    const clock = new ManualClock();
    const runs: number[] = [];
    const trigger = new DriftTrigger(async () => {
      runs.push(clock.now().getTime());
      return true;
    }, clock, log);
    const t0 = clock.now().getTime();
    trigger.committed(m, 10);
    await clock.advance(0);
    expect(runs).toEqual([t0]);
    // One prediction: a timer for evaluateAfterSeconds (60 s). Nine more reach the count 1 s later: due at the 5 s interval.
    trigger.committed(m, 1);
    await clock.advance(1_000);
    trigger.committed(m, 9);
    await clock.advance(3_999);
    expect(runs).toHaveLength(1);
    await clock.advance(1);
    expect(runs).toEqual([t0, t0 + 5_000]);
    // A promotion with nothing waiting: evaluated again once the interval allows.
    trigger.due(m);
    await clock.advance(5_000);
    expect(runs).toEqual([t0, t0 + 5_000, t0 + 10_000]);
    await clock.advance(120_000);
    expect(runs).toHaveLength(3);
    await trigger.stop();
  });
});
