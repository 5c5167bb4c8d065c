import { type Kysely } from 'kysely';
import { columnTypes } from './portable.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  const { int, blob } = columnTypes(db);
  // The instance running a job, and until when its claim holds unless renewed: another
  // instance takes a job over only once its lease has expired.
  await db.schema.alterTable('jobs').addColumn('owner', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('lease_expires_at', 'text').execute();
  // A version's TF.js artifact, so every instance can load it (each keeps its own file copy).
  await db.schema
    .createTable('version_artifacts')
    .addColumn('version_id', int, (c) => c.primaryKey().references('model_versions.id'))
    .addColumn('model_json', 'text', (c) => c.notNull())
    .addColumn('weights', blob, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('version_artifacts').execute();
  await db.schema.alterTable('jobs').dropColumn('lease_expires_at').execute();
  await db.schema.alterTable('jobs').dropColumn('owner').execute();
}
