import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/webhooks/signature.js';
import { ManualClock } from '../support/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { DriftData, modelDefinition } from './support/generated.js';
import { eventually, startReceiver, type Receiver } from './support/receiver.js';

/** The receivers listen on 127.0.0.1, which webhooks may reach only when allowed. */
const ALLOW_LOOPBACK = { DRIFTLOOP_WEBHOOK_ALLOW: '127.0.0.1' };

const SECRET = 'whsec-test-secret';

describe('drift events and webhooks', () => {
  let server: TestServer;
  let receiver: Receiver;
  beforeAll(async () => {
    server = await startTestServer({ env: ALLOW_LOOPBACK });
  });
  afterAll(() => server.stop());
  afterEach(() => receiver?.close());

  const db = () => server.driftloop.services.database.db;

  /** A trained model whose drift is evaluated after every 20 predictions. */
  async function model(name: string, settings: Record<string, unknown>) {
    const gen = new DriftData(8, 5);
    const drift = { windowSize: 40, evaluateEvery: 20, evaluateAfterSeconds: 60, cooldownMinutes: 60, ...((settings.drift as object) ?? {}) };
    expect((await server.request('PUT', `/v1/models/${name}`, modelDefinition(8, { ...settings, drift }))).status).toBe(201);
    expect((await server.request('POST', `/v1/models/${name}/examples`, { examples: gen.examples(800) })).status).toBe(200);
    const send = async (predictions: unknown[]) => expect((await server.request('POST', `/v1/models/${name}/predictions`, { predictions })).status).toBe(200);
    const id = (await db().selectFrom('models').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
    const events = () => db().selectFrom('drift_events').selectAll().where('model_id', '=', id).orderBy('id').execute();
    const snapshots = () => db().selectFrom('drift_snapshots').selectAll().where('model_id', '=', id).execute();
    return { gen, send, events, snapshots, id };
  }

  it('when drift persists over many ingestion requests and GETs, then each webhook gets exactly one POST for the one event', async () => {
    receiver = await startReceiver();
    const plain = await startReceiver();
    try {
      const m = await model('once', { webhooks: [{ url: receiver.url, secret: SECRET }, plain.url] });
      await m.send(m.gen.predictions(40));
      for (let i = 0; i < 8; i++) {
        await m.send(m.gen.outliers(20));
        await server.request('GET', '/v1/models/once/drift');
      }
      await eventually(async () => ((await m.snapshots()).length >= 8 ? true : undefined));
      await receiver.waitFor(1);
      await plain.waitFor(1);
      // Both deliveries are done after one attempt, so nothing is left to retry.
      const done = await eventually(async () => {
        const rows = await db().selectFrom('webhook_deliveries').selectAll().where('model_id', '=', m.id).execute();
        return rows.length === 2 && rows.every((r) => r.status === 'delivered') ? rows : undefined;
      });
      expect(done.map((d) => d.attempts)).toEqual([1, 1]);
      expect(await m.events()).toHaveLength(1);
      expect(receiver.received).toHaveLength(1);
      expect(plain.received).toHaveLength(1);
      const [hit] = receiver.received;
      expect(hit!.headers['content-type']).toBe('application/json');
      expect(verifySignature(hit!.body, SECRET, hit!.headers['x-driftloop-signature'] as string)).toBe(true);
      expect(plain.received[0]!.headers['x-driftloop-signature']).toBeUndefined();
      const body = JSON.parse(hit!.body);
      const [event] = await m.events();
      expect(body).toMatchObject({ type: 'drift.detected', eventId: event!.id, kind: 'ood', model: 'once', status: 'drift', threshold: 0.15 });
      expect(event!.kind).toBe('ood');
      expect(body.score).toBeGreaterThanOrEqual(0.15);
      expect(body.tests).toHaveLength(5);
      expect(hit!.body).toBe(event!.payload_json);
    } finally {
      await plain.close();
    }
  });

  it('when the signature is checked with the wrong secret or a changed body, then it fails', async () => {
    receiver = await startReceiver();
    const m = await model('signed', { webhooks: [{ url: receiver.url, secret: SECRET }] });
    await m.send(m.gen.predictions(40));
    await m.send(m.gen.outliers(40));
    const [hit] = await receiver.waitFor(1);
    const header = hit!.headers['x-driftloop-signature'] as string;
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(hit!.body, 'another-secret', header)).toBe(false);
    expect(verifySignature(`${hit!.body} `, SECRET, header)).toBe(false);
  });

  it('when every attempt fails, then the delivery ends as failed after maxAttempts', async () => {
    receiver = await startReceiver([500, 500, 500, 500]);
    const m = await model('giveup', { webhooks: [receiver.url], webhookDelivery: { initialBackoffMs: 20, maxAttempts: 3 } });
    await m.send(m.gen.predictions(40));
    await m.send(m.gen.outliers(40));
    const failed = await eventually(() =>
      db().selectFrom('webhook_deliveries').selectAll().where('model_id', '=', m.id).where('status', '=', 'failed').executeTakeFirst(),
    );
    expect(failed.attempts).toBe(3);
    expect(receiver.received).toHaveLength(3);
    expect(await db().selectFrom('webhook_attempts').select('id').where('delivery_id', '=', failed.id).execute()).toHaveLength(3);
  });

  it('when drift persists inside the cooldown, then no second event is raised; with no cooldown, the next drifting window raises one', async () => {
    receiver = await startReceiver();
    const m = await model('cool', { webhooks: [receiver.url] });
    await m.send(m.gen.predictions(40));
    await m.send(m.gen.outliers(40));
    await eventually(async () => ((await m.events()).length === 1 ? true : undefined));
    for (let i = 0; i < 4; i++) {
      await m.send(m.gen.outliers(20));
      await server.request('GET', '/v1/models/cool/drift');
    }
    expect(await m.events()).toHaveLength(1);
    const drift = await server.request('GET', '/v1/models/cool/drift');
    expect(drift.body.status).toBe('drift');

    await server.request('PUT', '/v1/models/cool', modelDefinition(8, { webhooks: [receiver.url], drift: { windowSize: 40, evaluateEvery: 20, cooldownMinutes: 0 } }));
    await m.send(m.gen.outliers(20));
    await server.request('GET', '/v1/models/cool/drift');
    const events = await m.events();
    expect(events).toHaveLength(2);
    expect(events[1]!.snapshot_id).toBeGreaterThan(events[0]!.snapshot_id);
    await receiver.waitFor(2);
  });

  it('when a drift event is recorded, then DriftRaised handlers run once and the queue favours the drifted samples', async () => {
    const raised: string[] = [];
    const off = server.driftloop.services.events.on('DriftRaised', ({ event, model }) => {
      if (model.name === 'hooks') raised.push(`event:${event.id}:${event.model}`);
    });
    try {
      const m = await model('hooks', {});
      await m.send(m.gen.predictions(40));
      await m.send(m.gen.outliers(40));
      await m.send(m.gen.outliers(20));
      await eventually(async () => (raised.length >= 1 ? true : undefined));
      const [event] = await m.events();
      expect(await m.events()).toHaveLength(1);
      expect(raised).toEqual([`event:${event!.id}:hooks`]);
      // The queue's handler runs before this test's: boosted items carry the drift reason.
      const queue = await server.request('GET', '/v1/models/hooks/queue');
      expect(queue.body.byReason.drift).toBeGreaterThan(0);
    } finally {
      off();
    }
  });
});

describe('webhook delivery across a restart', () => {
  it('when the server stops with a delivery pending, then the next start delivers it', async () => {
    const receiver = await startReceiver([500]);
    let server = await startTestServer({ env: ALLOW_LOOPBACK });
    try {
      const gen = new DriftData(8, 5);
      const settings = { webhooks: [receiver.url], webhookDelivery: { initialBackoffMs: 60_000 }, drift: { windowSize: 40, ...{ evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000 } } };
      await server.request('PUT', '/v1/models/r', modelDefinition(8, settings));
      await server.request('POST', '/v1/models/r/examples', { examples: gen.examples(800) });
      await server.request('POST', '/v1/models/r/predictions', { predictions: [...gen.predictions(10), ...gen.outliers(30)] });
      expect((await server.request('GET', '/v1/models/r/drift')).body.status).toBe('drift');
      await receiver.waitFor(1);
      // The receiver has answered; wait until the failed attempt is recorded, or stopping would abort it unrecorded.
      const db = server.driftloop.services.database.db;
      await eventually(async () => ((await db.selectFrom('webhook_deliveries').select('attempts').executeTakeFirst())?.attempts === 1 ? true : undefined));
      const { dataDir } = server;
      await server.stop();
      // Make the pending retry due now, as if the backoff had passed while the server was down.
      server = await startTestServer({ dataDir, env: ALLOW_LOOPBACK });
      await server.driftloop.services.database.db.updateTable('webhook_deliveries').set({ next_attempt_at: new Date().toISOString() }).execute();
      await server.stop();
      server = await startTestServer({ dataDir, env: ALLOW_LOOPBACK });
      // A hang detector: the third start on a loaded machine may take a while to send.
      await receiver.waitFor(2, 60_000);
      const delivery = await eventually(() =>
        server.driftloop.services.database.db.selectFrom('webhook_deliveries').selectAll().where('status', '=', 'delivered').orderBy('id').executeTakeFirst(),
      );
      expect(delivery.attempts).toBe(2);
    } finally {
      await server.stop();
      await receiver.close();
    }
  });
});

describe('webhook retries on an injected clock', () => {
  const clock = new ManualClock();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ clock, env: ALLOW_LOOPBACK });
  });
  afterAll(() => server.stop());

  it('when the receiver fails, then the delivery is retried with growing backoff and every attempt is recorded', async () => {
    const receiver = await startReceiver([500, 503]);
    try {
      const db = server.driftloop.services.database.db;
      const gen = new DriftData(8, 5);
      const settings = { webhooks: [{ url: receiver.url, secret: SECRET }], webhookDelivery: { initialBackoffMs: 100, maxAttempts: 5 }, drift: { windowSize: 40, evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000 } };
      expect((await server.request('PUT', '/v1/models/retry', modelDefinition(8, settings))).status).toBe(201);
      expect((await server.request('POST', '/v1/models/retry/examples', { examples: gen.examples(800) })).status).toBe(200);
      await server.request('POST', '/v1/models/retry/predictions', { predictions: [...gen.predictions(10), ...gen.outliers(30)] });
      expect((await server.request('GET', '/v1/models/retry/drift')).body.status).toBe('drift');
      const delivery = () => db.selectFrom('webhook_deliveries').selectAll().where('url', '=', receiver.url).executeTakeFirstOrThrow();
      // Each failed attempt schedules the next one a backoff later (100 ms, then 200 ms, plus up to 10% jitter); time moves only when the test moves it.
      for (const [failed, backoff] of [[1, 100], [2, 200]] as const) {
        await receiver.waitFor(failed);
        const pending = await eventually(async () => {
          const d = await delivery();
          return d.attempts === failed ? d : undefined;
        });
        const wait = Date.parse(pending.next_attempt_at!) - clock.now().getTime();
        expect(wait).toBeGreaterThanOrEqual(backoff);
        expect(wait).toBeLessThanOrEqual(backoff * 1.1);
        expect(receiver.received).toHaveLength(failed);
        await clock.advance(wait);
      }
      const hits = await receiver.waitFor(3);
      expect(new Set(hits.map((h) => h.body)).size).toBe(1);
      expect(hits.map((h) => h.headers['x-driftloop-attempt'])).toEqual(['1', '2', '3']);
      const delivered = await eventually(async () => {
        const d = await delivery();
        return d.status === 'delivered' ? d : undefined;
      });
      expect(delivered.attempts).toBe(3);
      const attempts = await db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', delivered.id).orderBy('attempt').execute();
      expect(attempts.map((a) => [a.attempt, a.ok, a.status_code])).toEqual([
        [1, 0, 500],
        [2, 0, 503],
        [3, 1, 200],
      ]);
      const at = attempts.map((a) => Date.parse(a.attempted_at));
      expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(100);
      expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(200);
      expect(attempts[0]!.error).toBe('HTTP 500');
      const drift = await server.request('GET', '/v1/models/retry/drift');
      expect(drift.body.events[0].kind).toBe('ood');
      expect(drift.body.events[0].deliveries).toEqual([{ url: receiver.url, status: 'delivered', attempts: 3, lastStatusCode: 200, lastError: null }]);
    } finally {
      await receiver.close();
    }
  });
});
