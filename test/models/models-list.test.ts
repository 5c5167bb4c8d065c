import { afterEach, describe, expect, it } from 'vitest';
import { ownerReads } from '../../src/composition/ports.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { EventBus } from '../../src/events/event-bus.js';
import { ModelsService } from '../../src/models/models.service.js';
import { ManualClock } from '../support/clock.js';
import { databaseUrlFor } from '../support/database.js';
import { tempDataDir } from '../support/server.js';

let database: DatabaseHandle | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

const def = { task: 'multiclass' as const, embeddingDim: 3, concepts: [{ id: 'a' }, { id: 'b' }] };

describe('ModelsService.list', () => {
  it('reuses the cached model for an unchanged revision and builds the stored one after a change made elsewhere', async () => {
    const dataDir = tempDataDir();
    database = await openDatabase({ dataDir, databaseUrl: await databaseUrlFor(dataDir) });
    // Two services on one database stand for two instances.
    const here = new ModelsService(database.db, new EventBus(), new ManualClock(), ownerReads(database.db));
    const elsewhere = new ModelsService(database.db, new EventBus(), new ManualClock(), ownerReads(database.db));
    const { model } = await here.put('m', def);

    const [first] = await here.list();
    expect(first).toBe(model);
    expect((await here.list())[0]).toBe(first);

    await elsewhere.put('m', { ...def, settings: { drift: { windowSize: 321 } } });
    const [after] = await here.list();
    expect(after).not.toBe(model);
    expect(after!.settings.drift.windowSize).toBe(321);
    expect(model.settings.drift.windowSize).not.toBe(321);
  });
});
