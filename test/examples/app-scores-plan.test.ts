import { CompiledQuery, type KyselyPlugin } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { findAppTopScores } from '../../src/examples/examples.repository.js';
import { tempDataDir } from '../support/server.js';

let database: DatabaseHandle | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

describe("the app's scores on examples (confidence_shift's reference, read at every drift evaluation)", () => {
  // It walked every example of the model (100k rows: 0.2 s on the event loop) to find the few with a score.
  it('when they are read, then SQLite walks the partial index of scored examples only', async () => {
    database = await openDatabase({ dataDir: tempDataDir(), databaseUrl: undefined });
    const { db } = database;
    const sent: CompiledQuery[] = [];
    const spy: KyselyPlugin = {
      transformQuery: ({ node, queryId }) => {
        sent.push(db.getExecutor().compileQuery(node, queryId));
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    expect(await findAppTopScores(db.withPlugin(spy), 1, 5000)).toEqual([]);
    expect(sent).toHaveLength(1);
    const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${sent[0]!.sql}`, [...sent[0]!.parameters]));
    expect(plan.rows.map((r) => r.detail).join('; ')).toMatch(/USING INDEX examples_app_scores \(model_id=\?\)/);
  });
});
