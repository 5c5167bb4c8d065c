import { onTestFinished } from 'vitest';
import { ownerReads } from '../../src/composition/ports.js';
import { openDatabase } from '../../src/db/database.js';
import { EventBus } from '../../src/events/event-bus.js';
import { ModelsService } from '../../src/models/models.service.js';
import { ManualClock } from './clock.js';
import { databaseUrlFor } from './database.js';
import { tempDataDir } from './server.js';

/**
 * A fresh database with every migration (a SQLite file, or a PostgreSQL database in the postgres
 * project) holding two models, `m` and `other`, of two concepts and `embeddingDim` dimensions:
 * for repository tests that store rows of one model beside another's. Closed when the calling
 * test finishes.
 */
export async function databaseWithTwoModels(embeddingDim = 2) {
  const dataDir = tempDataDir();
  const database = await openDatabase({ dataDir, databaseUrl: await databaseUrlFor(dataDir) });
  onTestFinished(() => database.close());
  const models = new ModelsService(database.db, new EventBus(), new ManualClock(), ownerReads(database.db));
  const def = { task: 'multiclass' as const, embeddingDim, concepts: [{ id: 'a' }, { id: 'b' }] };
  return { database, db: database.db, models, model: (await models.put('m', def)).model, other: (await models.put('other', def)).model };
}
