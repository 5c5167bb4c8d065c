import type { Db } from '../../db/database.js';
import { StatementTrip } from '../../db/statement-trip.js';
import { isoNow, type Clock } from '../../util/clock.js';
import type { Model } from '../../models/model.js';
import { cusumStep } from './bernoulli-cusum.js';
import { cusumDesign, type CusumDesign } from './cusum-design.js';
import { findSequentialState, lockSequentialState, saveSequentialState, updateSequentialStateIf, type SequentialRow } from './sequential.repository.js';
import type { ReferenceState, ReferenceStateReader, SequentialObservation, SequentialStatus } from './sequential.types.js';

interface Running {
  statistic: number;
  observed: number;
  lastSeq: number | null;
  startedAt: string;
  alarm: { at: string; seq: number; statistic: number } | null;
}

/**
 * A Bernoulli CUSUM on each model's stream of OOD flags (its conformal p-values against
 * `ood.quantile`), taken in inside the ingest transaction: O(1) per prediction, one row read
 * and one written per batch, so a restart (or another instance) resumes it from the database.
 * It resets when the reference changes, and arms only once the eval calibration is large
 * enough for its false-alarm rate to hold (docs/drift.md).
 */
export class SequentialDetector {
  private readonly alarms = new Set<number>();
  /** Per model, the state row this instance wrote last (maybe not committed yet). */
  private readonly written = new Map<number, SequentialRow>();

  constructor(
    private readonly reference: ReferenceStateReader,
    private readonly clock: Clock,
  ) {}

  /** Takes in a batch, in seq order, inside its ingest transaction `db`: {@link stage}, sent at once. */
  async observe(db: Db, model: Model, batch: SequentialObservation[]): Promise<void> {
    const trip = new StatementTrip(db);
    const finish = await this.stage(trip, db, model, batch);
    await trip.flush();
    await finish();
  }

  /**
   * The prediction sink step, inside the batch's ingest transaction `db`: when this instance wrote
   * the model's row last, one conditional update continues from what it wrote, deferred into
   * `trip` to go with the queue's statements (after its lock: one lock order, queue then detector,
   * on every path). The returned step, run once the trip has gone, reads and locks the row again
   * only when that update found it changed (another instance, a rollback) or did not run;
   * batches stored concurrently continue from each other's writes, the database's row lock
   * ordering them.
   */
  async stage(trip: StatementTrip, db: Db, model: Model, batch: SequentialObservation[]): Promise<() => Promise<void>> {
    const nothing = async (): Promise<void> => undefined;
    if (batch.length === 0) return nothing;
    const ref = await this.reference(model);
    const design = this.design(model, ref);
    if (!armed(ref, design)) return nothing;
    const at = isoNow(this.clock);
    const last = this.written.get(model.id);
    const next = last && this.advance(model.id, last, batch, ref, design, at);
    const update = next && updateSequentialStateIf(db, next.row, last);
    const updated = update && trip.defer(update);
    return async () => {
      if (update && next) {
        const rows = (await updated) ?? (await db.executeQuery(update)).rows;
        if (rows.length === 1) return this.settle(model.id, next.raised);
      }
      const locked = this.advance(model.id, await lockSequentialState(db, model.id, at), batch, ref, design, at);
      await saveSequentialState(db, locked.row);
      this.settle(model.id, locked.raised);
    };
  }

  private settle(modelId: number, raised: boolean): void {
    if (raised) this.alarms.add(modelId);
  }

  /** The state after `batch`, remembered as this instance's last write (before it is made: the next batch continues from it). */
  private advance(modelId: number, row: SequentialRow | undefined, batch: SequentialObservation[], ref: ReferenceState, design: CusumDesign, at: string): { row: SequentialRow; raised: boolean } {
    const run = toRunning(row, ref, at);
    const raised = run.alarm === null;
    for (const p of batch) {
      // After an alarm the statistic stays capped, so it still shows whether drift persists.
      run.statistic = Math.min(design.limit + design.up, cusumStep(run.statistic, p.isOod, design));
      run.observed++;
      run.lastSeq = Math.max(run.lastSeq ?? p.seq, p.seq);
      if (run.alarm === null && run.statistic >= design.limit) run.alarm = { at, seq: p.seq, statistic: run.statistic };
    }
    const next: SequentialRow = {
      model_id: modelId,
      reference_key: ref.key,
      statistic: run.statistic,
      observed: run.observed,
      last_seq: run.lastSeq,
      started_at: run.startedAt,
      alarm_at: run.alarm?.at ?? null,
      alarm_seq: run.alarm?.seq ?? null,
      alarm_statistic: run.alarm?.statistic ?? null,
      updated_at: at,
    };
    this.written.set(modelId, next);
    return { row: next, raised: raised && run.alarm !== null };
  }

  /** True once per alarm raised since the last call for this model (the trigger evaluates at once). */
  takeAlarm(modelId: number): boolean {
    return this.alarms.delete(modelId);
  }

  /** Where the model's detector stands. */
  async status(db: Db, model: Model): Promise<SequentialStatus> {
    const ref = await this.reference(model);
    const design = this.design(model, ref);
    const isArmed = armed(ref, design);
    const run = toRunning(isArmed ? await findSequentialState(db, model.id) : undefined, ref, null);
    const base = {
      method: 'bernoulli_cusum' as const,
      state: isArmed ? ('armed' as const) : ('unarmed' as const),
      alarmed: run.alarm !== null,
      statistic: run.statistic,
      limit: design.limit,
      up: design.up,
      down: design.down,
      p0: design.p0,
      target: design.target,
      arl0: design.arl0,
      arl0Exact: design.arl0Exact,
      observed: run.observed,
      since: run.startedAt || null,
      lastSeq: run.lastSeq,
      alarm: run.alarm,
      calibration: { ...ref.calibration, required: design.minCalibration },
    };
    return { ...base, summary: summarize(base) };
  }

  private design(model: Model, ref: ReferenceState): CusumDesign {
    const { ood, drift } = model.settings;
    return cusumDesign(ood.quantile, ref.calibration.size, drift.arl0, drift.sequentialTarget);
  }
}

function armed(ref: ReferenceState, design: CusumDesign): boolean {
  return ref.calibration.source === 'eval' && ref.calibration.size >= design.minCalibration;
}

/** The stored state, or a fresh one when there is none or it was built against another reference. */
function toRunning(row: SequentialRow | undefined, ref: ReferenceState, at: string | null): Running {
  if (!row || row.reference_key !== ref.key) return { statistic: 0, observed: 0, lastSeq: null, startedAt: at ?? '', alarm: null };
  const alarm = row.alarm_at === null ? null : { at: row.alarm_at, seq: row.alarm_seq ?? 0, statistic: row.alarm_statistic ?? 0 };
  return { statistic: row.statistic, observed: row.observed, lastSeq: row.last_seq, startedAt: row.started_at, alarm };
}

function summarize(s: Omit<SequentialStatus, 'summary'>): string {
  const { calibration: c } = s;
  if (s.state === 'unarmed') {
    const have = c.source === 'eval' ? `${c.size} eval examples` : `no eval calibration yet (leave-one-out on ${c.size} train examples)`;
    return `Sequential detector not armed: ${have}, needs ${c.required} for its false-alarm rate (1 per ${s.arl0} predictions) to hold.`;
  }
  if (s.alarm) return `Sequential detector alarmed at prediction ${s.alarm.seq} (${s.alarm.at}); statistic ${s.statistic} of limit ${s.limit}.`;
  return `Sequential detector armed: statistic ${s.statistic} of limit ${s.limit} after ${s.observed} predictions (one false alarm per ${Math.round(s.arl0Exact)} in-distribution predictions on average).`;
}
