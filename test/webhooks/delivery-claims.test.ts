import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { EventBus } from '../../src/events/event-bus.js';
import { ModelsService } from '../../src/models/models.service.js';
import { systemClock } from '../../src/util/clock.js';
import { WebhookDispatcher, type WebhookTargetResolver } from '../../src/webhooks/webhook.dispatcher.js';
import { claimDueDeliveries } from '../../src/webhooks/webhooks.repository.js';
import { eventually, startReceiver, type Receiver } from '../drift/support/receiver.js';
import { ManualClock } from '../support/clock.js';
import { databaseUrlFor } from '../support/database.js';
import { tempDataDir } from '../support/server.js';
import { WebhookTargetPolicy } from '../../src/webhooks/target-policy.js';
import { ownerReads } from '../../src/composition/ports.js';

/** The receiver listens on loopback, which webhooks may reach only when allowed. */
const LOOPBACK_ALLOWED = new WebhookTargetPolicy(['127.0.0.1']);

const log = pino({ level: 'silent' });
const resolve: WebhookTargetResolver = async () => ({ secret: undefined, policy: { maxAttempts: 3, initialBackoffMs: 1000, maxBackoffMs: 5000, timeoutMs: 5000 } });

/** Two instances: two connections (pools on PostgreSQL) to one database, each with its own dispatcher. */
describe('webhook deliveries shared by two instances', () => {
  const dataDir = tempDataDir();
  let a: DatabaseHandle;
  let b: DatabaseHandle;
  let receiver: Receiver;
  let modelId: number;
  beforeAll(async () => {
    const databaseUrl = await databaseUrlFor(dataDir);
    a = await openDatabase({ dataDir, databaseUrl });
    b = await openDatabase({ dataDir, databaseUrl });
    modelId = (await new ModelsService(a.db, new EventBus(), systemClock, ownerReads(a.db)).put('hooks', { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'x' }] })).model.id;
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await a?.close();
    await b?.close();
  });

  const enqueue = (n: number, from: number) =>
    a.db.transaction().execute(async (trx) => {
      for (let i = 0; i < n; i++) {
        await WebhookDispatcher.enqueue(trx, { modelId, eventType: 'drift', eventId: from + i, body: `{"n":${from + i}}`, urls: [receiver.url] }, new Date().toISOString());
      }
    });
  const deliveryIds = () => receiver.received.map((r) => Number(r.headers['x-driftloop-delivery']));

  it('when both instances send at once, then every delivery is posted exactly once', async () => {
    await enqueue(40, 0);
    const dispatchers = [new WebhookDispatcher(a.db, resolve, systemClock, log, LOOPBACK_ALLOWED), new WebhookDispatcher(b.db, resolve, systemClock, log, LOOPBACK_ALLOWED)];
    for (const d of dispatchers) d.start();
    try {
      await receiver.waitFor(40, 120_000);
      await eventually(async () => ((await a.db.selectFrom('webhook_deliveries').select('id').where('status', '=', 'delivered').execute()).length === 40 ? true : undefined), 120_000);
    } finally {
      for (const d of dispatchers) await d.stop();
    }
    expect(deliveryIds().sort((x, y) => x - y)).toEqual([...new Set(deliveryIds())].sort((x, y) => x - y));
    expect(receiver.received).toHaveLength(40);
  });

  it('when the instance holding a claim dies, then no other sends it before the claim lapses, and one does after', async () => {
    receiver.received.length = 0;
    await enqueue(1, 100);
    const now = Date.now();
    const [claimed] = await claimDueDeliveries(a.db, new Date(now).toISOString(), new Date(now + 90_000).toISOString(), 10);
    expect(claimed).toBeDefined();
    // Instance a "dies" holding the claim: b finds nothing to claim while it lasts.
    const at = new Date().toISOString();
    expect(await claimDueDeliveries(b.db, at, at, 10)).toEqual([]);
    // The claim lapses: on b's clock, past it, b takes the delivery over.
    const other = new WebhookDispatcher(b.db, resolve, new ManualClock(now + 90_001), log, LOOPBACK_ALLOWED);
    other.start();
    try {
      await receiver.waitFor(1, 60_000);
    } finally {
      await other.stop();
    }
    expect(deliveryIds()).toEqual([claimed!.id]);
  });
});
