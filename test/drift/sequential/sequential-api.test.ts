import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cusumStep } from '../../../src/drift/sequential/bernoulli-cusum.js';
import { startTestServer, tempDataDir, type TestServer } from '../../support/server.js';
import { DriftData, modelDefinition } from '../support/generated.js';
import { eventually, startReceiver, type Receiver } from '../support/receiver.js';

// arl0 1000 keeps the eval split this test needs small (the detector arms from ~400 eval examples).
const SEQUENTIAL = { arl0: 1000, evaluateEvery: 100_000, evaluateAfterSeconds: 3600, cooldownMinutes: 60 };

describe('sequential drift detector through the service', () => {
  let server: TestServer;
  let receiver: Receiver;
  const dataDir = tempDataDir();
  beforeAll(async () => {
    server = await startTestServer({ dataDir, env: { DRIFTLOOP_WEBHOOK_ALLOW: '127.0.0.1' } }); // the receiver listens on loopback
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await server.stop();
  });

  const gen = new DriftData(8, 16);
  const db = () => server.driftloop.services.database.db;
  const send = async (name: string, predictions: unknown[]) => expect((await server.request('POST', `/v1/models/${name}/predictions`, { predictions })).status).toBe(200);
  const drift = async (name: string) => (await server.request('GET', `/v1/models/${name}/drift`)).body;
  const events = async (name: string) => {
    const { id } = await db().selectFrom('models').select('id').where('name', '=', name).executeTakeFirstOrThrow();
    return db().selectFrom('drift_events').selectAll().where('model_id', '=', id).execute();
  };
  const deliveries = async (name: string) => {
    const { id } = await db().selectFrom('models').select('id').where('name', '=', name).executeTakeFirstOrThrow();
    return db().selectFrom('webhook_deliveries').selectAll().where('model_id', '=', id).execute();
  };

  async function model(name: string, evalCount: number, settings: Record<string, unknown> = {}) {
    expect((await server.request('PUT', `/v1/models/${name}`, modelDefinition(8, { drift: SEQUENTIAL, ...settings }))).status).toBe(201);
    const examples = [...gen.examples(800, `${name}-train`).map((e) => ({ ...e, split: 'train' })), ...gen.examples(evalCount, `${name}-eval`).map((e) => ({ ...e, split: 'eval' }))];
    expect((await server.request('POST', `/v1/models/${name}/examples`, { examples })).status).toBe(200);
  }

  /** Batches of 10 with 4 outliers (about 40% OOD with the 5% in-distribution ones) until the detector alarms. */
  async function driftUntilAlarm(name: string, limit = 200): Promise<number> {
    for (let sent = 0; sent < limit; sent += 10) {
      await send(name, [...gen.outliers(4, `${name}-out`), ...gen.predictions(6, { prefix: `${name}-mix` })]);
      if ((await drift(name)).sequential.alarmed) return sent + 10;
    }
    throw new Error(`no alarm within ${limit} predictions`);
  }

  /** The detector's statistic recomputed from the stored OOD flags, in seq order. */
  async function replay(name: string, steps: { up: number; down: number; limit: number }) {
    const { id } = await db().selectFrom('models').select('id').where('name', '=', name).executeTakeFirstOrThrow();
    const flags = await db().selectFrom('predictions').select('is_ood').where('model_id', '=', id).orderBy('seq').execute();
    return flags.reduce((s, f) => Math.min(steps.limit + steps.up, cusumStep(s, f.is_ood === 1, steps)), 0);
  }

  it('when drift.sequentialTarget is not above the in-distribution OOD rate or arl0 is too small, then the settings are refused with 400', async () => {
    for (const drift of [{ sequentialTarget: 0.05 }, { arl0: 10 }]) {
      const res = await server.request('PUT', '/v1/models/bad-seq', modelDefinition(8, { drift }));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBeTypeOf('string');
      expect(JSON.stringify(res.body.error)).toContain(Object.keys(drift)[0]!);
    }
  });

  it('when the eval split is too small, then the detector stays unarmed and /drift and /health say how many eval examples it needs', async () => {
    await model('small', 100);
    await send('small', gen.outliers(60, 'small-out'));
    const body = await drift('small');
    expect(body.sequential).toMatchObject({ state: 'unarmed', alarmed: false, statistic: 0, calibration: { source: 'eval', size: 100 } });
    expect(body.sequential.calibration.required).toBeGreaterThan(100);
    expect(body.sequential.summary).toContain(`needs ${body.sequential.calibration.required}`);
    const health = (await server.request('GET', '/v1/models/small/health')).body;
    expect(health.calibration.sequentialDetector).toMatchObject({ armed: false, required: body.sequential.calibration.required });
    expect(health.calibration.sequentialDetector.message).toContain('unarmed');
  });

  it('when the OOD rate jumps to about 40%, then the detector alarms within tens of predictions, before the window rule, with one ood event and one webhook', async () => {
    await model('jump', 500, { webhooks: [receiver.url] });
    for (let i = 0; i < 6; i++) await send('jump', gen.predictions(50, { prefix: 'jump-clean' }));
    const clean = await drift('jump');
    expect(clean.sequential).toMatchObject({ state: 'armed', alarmed: false, observed: 300 });
    expect(clean.status).toBe('ok');

    const delay = await driftUntilAlarm('jump');
    expect(delay).toBeLessThanOrEqual(60);
    const body = await drift('jump');
    expect(body.status).toBe('drift');
    // The window (300 clean + a few dozen drifted) is still below the threshold: the alarm is the detector's.
    expect(body.tests.find((t: { name: string }) => t.name === 'ood_rate').drift).toBe(false);
    expect(body.sequential.alarm.seq).toBeGreaterThan(0);
    expect(Date.parse(body.sequential.alarm.at)).not.toBeNaN();
    const [hit] = await receiver.waitFor(1);
    const payload = JSON.parse(hit!.body);
    expect(payload).toMatchObject({ kind: 'ood', status: 'drift', sequential: { alarmed: true } });
    expect(body.events).toHaveLength(1);
    expect(body.events[0].kind).toBe('ood');

    await send('jump', gen.outliers(40, 'jump-more'));
    // Evaluations of a model run one at a time, so this one starts after any the batch triggered;
    // an event records its webhook deliveries in the same transaction, so none can be on its way.
    await drift('jump');
    expect(await events('jump')).toHaveLength(1);
    expect(await deliveries('jump')).toHaveLength(1);
    expect(receiver.received).toHaveLength(1);

    const report = (await server.request('GET', '/v1/models/jump/report?format=json')).body;
    expect(report.drift.sequential.alarm).toEqual(body.sequential.alarm);
    const page = await fetch(`${server.url}/ui/models/jump/report`).then((r) => r.text());
    expect(page).toContain('Sequential detector');
    expect(page).toContain(`at prediction #${body.sequential.alarm.seq}`);
  });

  it('when the service restarts, then the detector resumes from its stored state, equal to a replay of the stored OOD flags', async () => {
    await model('resume', 500);
    await send('resume', [...gen.predictions(40, { prefix: 'resume-a' }), ...gen.outliers(2, 'resume-o')]);
    const before = (await drift('resume')).sequential;
    expect(before).toMatchObject({ state: 'armed', alarmed: false });
    expect(before.statistic).toBeGreaterThan(0);
    expect(before.statistic).toBe(await replay('resume', before));
    await server.stop();
    server = await startTestServer({ dataDir, env: { DRIFTLOOP_WEBHOOK_ALLOW: '127.0.0.1' } }); // the receiver listens on loopback
    const after = (await drift('resume')).sequential;
    expect(after).toMatchObject({ statistic: before.statistic, observed: before.observed, lastSeq: before.lastSeq, alarmed: false });
    await driftUntilAlarm('resume');
    const alarmed = (await drift('resume')).sequential;
    expect(alarmed.statistic).toBe(await replay('resume', alarmed));
    expect(alarmed.observed).toBe(before.observed + (alarmed.lastSeq - before.lastSeq));
    await eventually(async () => ((await events('resume')).length === 1 ? true : undefined));
  });

  it('when the reference takes in the drifted data, then the detector resets and the status returns to ok', async () => {
    await model('reset', 500);
    await send('reset', gen.predictions(200, { prefix: 'reset-clean' }));
    await driftUntilAlarm('reset');
    expect((await drift('reset')).status).toBe('drift');
    // What a promotion does: the labeled production items join the reference as examples.
    const taken = gen.outliers(40, 'reset-labeled').map((p) => ({ id: p.id, embedding: p.embedding, concepts: ['lager'], split: 'train' }));
    expect((await server.request('POST', '/v1/models/reset/examples', { examples: taken })).status).toBe(200);
    const body = await drift('reset');
    expect(body.sequential).toMatchObject({ state: 'armed', alarmed: false, alarm: null, statistic: 0, observed: 0 });
    expect(body.status).toBe('ok');
    await send('reset', gen.predictions(20, { prefix: 'reset-after' }));
    expect((await drift('reset')).sequential.observed).toBe(20);
  });
});
