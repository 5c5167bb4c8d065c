import { CompiledQuery, type KyselyPlugin } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { tempDataDir } from './server.js';

/** SQLite's `explain query plan` of each statement `run` sends that `pick` selects, one string per statement. */
export async function sqlitePlansOf(database: DatabaseHandle, run: (db: DatabaseHandle['db']) => Promise<unknown>, pick: (sql: string) => boolean = () => true): Promise<string[]> {
  const { db } = database;
  const sent: CompiledQuery[] = [];
  const spy: KyselyPlugin = {
    transformQuery: ({ node, queryId }) => {
      sent.push(db.getExecutor().compileQuery(node, queryId));
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  await run(db.withPlugin(spy));
  const plans: string[] = [];
  for (const q of sent.filter((q) => pick(q.sql))) {
    const rows = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]));
    plans.push(rows.rows.map((r) => r.detail).join('; '));
  }
  return plans;
}

/** {@link sqlitePlansOf} on a fresh SQLite database with every migration, closed afterwards. */
export async function freshSqlitePlansOf(run: (db: DatabaseHandle['db']) => Promise<unknown>, pick?: (sql: string) => boolean): Promise<string[]> {
  const database = await openDatabase({ dataDir: tempDataDir(), databaseUrl: undefined });
  try {
    return await sqlitePlansOf(database, run, pick);
  } finally {
    await database.close();
  }
}
