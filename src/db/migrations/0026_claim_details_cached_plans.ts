import { sql, type Kysely } from 'kysely';
import { isPostgres } from './portable.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  // A claim's two details reads (src/queue/claim-details.repository.ts) as functions of static
  // SQL: run_in_order (0025) EXECUTEs each statement, which parses and plans it afresh on every
  // claim, while PL/pgSQL keeps the plans of its static statements for the session. `claimed` is
  // the claim's rows (each with its prediction_seq), `details` the predictions' rows (each with its
  // neighbours as [seq, …] pairs in neighbors_json), as run_in_order hands them on. Stable: each
  // reads with the snapshot of the statement that calls it, taken after the claim's.
  await sql
    .raw(
      `create function queue_claim_predictions(model bigint, claimed jsonb)
       returns table (seq predictions.seq%type, scores_json predictions.scores_json%type, predicted predictions.predicted%type,
         input_json predictions.input_json%type, metadata_json predictions.metadata_json%type, "timestamp" predictions."timestamp"%type,
         ood_distance predictions.ood_distance%type, ood_score predictions.ood_score%type, is_ood predictions.is_ood%type,
         uncertainty predictions.uncertainty%type, knn_concept predictions.knn_concept%type, knn_agreement predictions.knn_agreement%type,
         neighbors_json predictions.neighbors_json%type)
       language plpgsql stable as $$
       #variable_conflict use_column
       begin
         return query
           select p.seq, p.scores_json, p.predicted, p.input_json, p.metadata_json, p."timestamp", p.ood_distance, p.ood_score, p.is_ood,
             p.uncertainty, p.knn_concept, p.knn_agreement, p.neighbors_json
           from predictions p
           where p.model_id = model and p.seq = any(array(select (r ->> 'prediction_seq')::bigint from jsonb_array_elements(claimed) r));
       end $$`,
    )
    .execute(db);
  await sql
    .raw(
      `create function queue_claim_examples(model bigint, details jsonb)
       returns table (seq examples.seq%type, id examples.id%type, concepts_json examples.concepts_json%type, input_json examples.input_json%type)
       language plpgsql stable as $$
       #variable_conflict use_column
       begin
         return query
           select e.seq, e.id, e.concepts_json, e.input_json
           from examples e
           where e.model_id = model
             and e.seq = any(array(select (n ->> 0)::bigint from jsonb_array_elements(details) p, jsonb_array_elements((p ->> 'neighbors_json')::jsonb) n));
       end $$`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`drop function queue_claim_examples(bigint, jsonb)`.execute(db);
  await sql`drop function queue_claim_predictions(bigint, jsonb)`.execute(db);
}
