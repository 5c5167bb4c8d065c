import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_queue.js';
import * as m0003 from './0003_drift.js';
import * as m0004 from './0004_training.js';
import * as m0006 from './0006_sequential_detector.js';
import * as m0007 from './0007_performance.js';
import * as m0008 from './0008_security.js';
import * as m0009 from './0009_example_scores.js';
import * as m0010 from './0010_regions.js';
import * as m0011 from './0011_job_leases.js';
import * as m0012 from './0012_index_snapshots.js';
import * as m0013 from './0013_model_revision.js';
import * as m0014 from './0014_queue_lock_check.js';
import * as m0016 from './0016_example_scores_index.js';
import * as m0019 from './0019_queue_lock_custom_plan.js';
import * as m0020 from './0020_queue_lock_claim_leases.js';
import * as m0021 from './0021_queue_pending_age.js';
import * as m0022 from './0022_pg_claim.js';
import * as m0023 from './0023_queue_count_deltas.js';
import * as m0023b from './0023_queue_one_call_claim.js';
import * as m0024 from './0024_statements_in_one_trip.js';
import * as m0025 from './0025_trip_rows_feed_next.js';
import * as m0026 from './0026_claim_details_cached_plans.js';
import * as m0027 from './0027_claim_locks_own_leases_first.js';
import * as m0028 from './0028_sessions_by_key.js';
import * as m0029 from './0029_scored_eval_index.js';
import * as m0030 from './0030_claim_waits_for_one.js';
import * as m0031 from './0031_region_ids.js';
import * as m0032 from './0032_split_keys.js';
import * as m0033 from './0033_split_keys_for_every_model.js';

/** Every migration, in order. Add new ones at the end; never edit a released one. */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_queue': m0002,
  '0003_drift': m0003,
  '0004_training': m0004,
  '0006_sequential_detector': m0006,
  '0007_performance': m0007,
  '0008_security': m0008,
  '0009_example_scores': m0009,
  '0010_regions': m0010,
  '0011_job_leases': m0011,
  '0012_index_snapshots': m0012,
  '0013_model_revision': m0013,
  '0014_queue_lock_check': m0014,
  '0016_example_scores_index': m0016,
  '0019_queue_lock_custom_plan': m0019,
  '0020_queue_lock_claim_leases': m0020,
  '0021_queue_pending_age': m0021,
  '0022_pg_claim': m0022,
  '0023_queue_count_deltas': m0023,
  '0023_queue_one_call_claim': m0023b,
  '0024_statements_in_one_trip': m0024,
  '0025_trip_rows_feed_next': m0025,
  '0026_claim_details_cached_plans': m0026,
  '0027_claim_locks_own_leases_first': m0027,
  '0028_sessions_by_key': m0028,
  '0029_scored_eval_index': m0029,
  '0030_claim_waits_for_one': m0030,
  '0031_region_ids': m0031,
  '0032_split_keys': m0032,
  '0033_split_keys_for_every_model': m0033,
};
