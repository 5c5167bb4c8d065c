import type { Db } from '../../db/database.js';
import { isoNow, type Clock } from '../../util/clock.js';
import type { Model } from '../../models/model.js';
import { cusumStep } from './bernoulli-cusum.js';
import { cusumDesign, type CusumDesign } from './cusum-design.js';
import { findSequentialState, lockSequentialState, saveSequentialState, type SequentialRow } from './sequential.repository.js';
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

  constructor(
    private readonly reference: ReferenceStateReader,
    private readonly clock: Clock,
  ) {}

  /** The prediction sink step: takes in a batch, in seq order, inside its ingest transaction. */
  async observe(db: Db, model: Model, batch: SequentialObservation[]): Promise<void> {
    if (batch.length === 0) return;
    const ref = await this.reference(model);
    const design = this.design(model, ref);
    if (!armed(ref, design)) return;
    const at = isoNow(this.clock);
    const run = toRunning(await lockSequentialState(db, model.id, at), ref, at);
    const raised = run.alarm === null;
    for (const p of batch) {
      // After an alarm the statistic stays capped, so it still shows whether drift persists.
      run.statistic = Math.min(design.limit + design.up, cusumStep(run.statistic, p.isOod, design));
      run.observed++;
      run.lastSeq = Math.max(run.lastSeq ?? p.seq, p.seq);
      if (run.alarm === null && run.statistic >= design.limit) run.alarm = { at, seq: p.seq, statistic: run.statistic };
    }
    if (raised && run.alarm !== null) this.alarms.add(model.id);
    await saveSequentialState(db, {
      model_id: model.id,
      reference_key: ref.key,
      statistic: run.statistic,
      observed: run.observed,
      last_seq: run.lastSeq,
      started_at: run.startedAt,
      alarm_at: run.alarm?.at ?? null,
      alarm_seq: run.alarm?.seq ?? null,
      alarm_statistic: run.alarm?.statistic ?? null,
      updated_at: at,
    });
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
