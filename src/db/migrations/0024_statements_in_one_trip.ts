import { sql, type Kysely } from 'kysely';
import { isPostgres } from './portable.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  // Several statements of one transaction in one round trip (src/db/statement-trip.ts): each runs
  // after the one before it and, in this volatile function, with a snapshot of its own, so it sees
  // what committed while an earlier one waited for a lock (as a statement sent on its own would).
  // Each statement's rows come back as one jsonb array, in order. A statement marked in `stop_when_empty`
  // that returns no rows ends the run there (a guard, e.g. "the index is current"); the caller
  // sees fewer results and runs the rest itself.
  await sql
    .raw(
      `create function run_in_order(statements text[], stop_when_empty boolean[]) returns table (step integer, rows jsonb)
       language plpgsql volatile as $$
       begin
         for i in 1 .. coalesce(array_length(statements, 1), 0) loop
           step := i;
           execute 'with r as (' || statements[i] || ') select coalesce(jsonb_agg(to_jsonb(r)), ''[]''::jsonb) from r' into rows;
           return next;
           exit when stop_when_empty[i] and jsonb_array_length(rows) = 0;
         end loop;
       end $$`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) await sql`drop function run_in_order(text[], boolean[])`.execute(db);
}
