import { sql, type Kysely } from 'kysely';
import { isPostgres } from './portable.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  // As 0024, and each statement may read the rows of the statement before it as $1 (the same jsonb
  // array it answers with; '[]' for the first), so a read that needs a write's answer (a claim's
  // details) goes in the same round trip and, run after it with a snapshot of its own, sees
  // whatever that statement saw. A statement that does not name $1 runs as before.
  await sql
    .raw(
      `create or replace function run_in_order(statements text[], stop_when_empty boolean[]) returns table (step integer, rows jsonb)
       language plpgsql volatile as $$
       begin
         rows := '[]'::jsonb;
         for i in 1 .. coalesce(array_length(statements, 1), 0) loop
           step := i;
           execute 'with r as (' || statements[i] || ') select coalesce(jsonb_agg(to_jsonb(r)), ''[]''::jsonb) from r' into rows using rows;
           return next;
           exit when stop_when_empty[i] and jsonb_array_length(rows) = 0;
         end loop;
       end $$`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql
    .raw(
      `create or replace function run_in_order(statements text[], stop_when_empty boolean[]) returns table (step integer, rows jsonb)
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
