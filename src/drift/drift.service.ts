import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { lockUntilCommit, tryExclusively } from '../db/dialect.js';
import type { EventBus } from '../events/event-bus.js';
import type { Model } from '../models/model.js';
import type { Clock } from '../util/clock.js';
import { KeyedLock } from '../util/keyed-lock.js';
import { WebhookDispatcher } from '../webhooks/webhook.dispatcher.js';
import { DriftEvaluator, type DriftAssessment } from './drift-evaluator.js';
import type { DriftReads } from './drift.ports.js';
import type { DriftProviders } from './drift.providers.js';
import { findLastEvent, findLastSnapshot, insertSnapshot, listEvents, listEventsById, listSnapshots, pruneSnapshots, type EventRow, type SnapshotRow } from './drift.repository.js';
import type { DeliverySummary, DriftEvaluation, DriftEvent, DriftOverview, DriftSnapshot } from './drift.types.js';
import { driftEventPayload, DRIFT_EVENT_TYPE } from './drift-event.payload.js';
import { raiseEvent, type NewEvent } from './drift-event.raise.js';
import { accuracyDropped, PERFORMANCE_EVENT_LEVEL, performanceEventPayload } from './performance/performance-event.js';
import type { PerformanceEstimate } from './performance/performance.types.js';
import { EMPTY_REGIONS, type NewRegions } from './new-regions.js';
import { DriftTrigger } from './drift.trigger.js';
import type { SequentialDetector } from './sequential/sequential.service.js';
import type { MmdRunner } from './stats/mmd-threads.js';


const HISTORY_LIMIT = 500;
const SNAPSHOTS_KEPT = 5000;
const EVENTS_LISTED = 20;

/**
 * Drift monitoring of every model: evaluates the window, records snapshots (only when
 * the window moved or the verdict changed), raises events outside the cooldown, and hands
 * them to webhooks and as `DriftRaised` events. Evaluations of one model run one at a time.
 */
export class DriftService {
  private readonly evaluations = new KeyedLock<number>();
  private readonly lastEvaluations = new Map<number, DriftEvaluation>();
  /** Per model, the reactions to raised drift events still running (see `notify`). */
  private readonly reacting = new Map<number, Promise<void>>();
  private readonly evaluator: DriftEvaluator;
  private readonly trigger: DriftTrigger;

  constructor(
    private readonly db: Db,
    private readonly webhooks: WebhookDispatcher,
    providers: DriftProviders,
    private readonly bus: EventBus,
    clock: Clock,
    private readonly log: Logger,
    private readonly sequential: SequentialDetector,
    reads: DriftReads,
    /** What a drift event's payload adds: the new regions, and the base URL for absolute links. */
    private readonly eventContext: { regions: NewRegions; publicUrl: string | undefined },
    /** Where the MMD kernel runs: worker threads, off the event loop. */
    mmd: MmdRunner,
  ) {
    this.evaluator = new DriftEvaluator(db, providers, clock, sequential, reads, mmd);
    // One instance evaluates a model after ingestion at a time; the others try again later.
    this.trigger = new DriftTrigger(async (model) => (await tryExclusively(db, 'driftEvaluate', model.id, () => this.evaluate(model))).ran, clock, log);
  }

  /**
   * Notes committed predictions: evaluates at once when the sequential detector alarmed on
   * them, otherwise after `drift.evaluateEvery` of them or `drift.evaluateAfterSeconds`.
   */
  predictionsCommitted(model: Model, count: number): void {
    if (this.sequential.takeAlarm(model.id)) {
      this.evaluate(model).catch((err: unknown) => this.log.error({ err, model: model.name }, 'drift evaluation after a sequential alarm failed'));
    }
    this.trigger.committed(model, count);
  }

  /**
   * A new champion was promoted and its labeled items joined the reference: the window is
   * evaluated again in the background, so the stored verdict (model description, dashboard,
   * metrics) follows the new reference without waiting for a reader of the drift report.
   */
  championChanged(model: Model): void {
    this.trigger.due(model);
  }

  /** Evaluates the current window; with `record`, stores a snapshot and raises an event if due. */
  evaluate(model: Model, opts: { record: boolean } = { record: true }): Promise<DriftAssessment> {
    return this.lock(model.id, async () => {
      const assessment = await this.evaluator.assess(model);
      this.lastEvaluations.set(model.id, assessment.evaluation);
        if (opts.record) await this.record(model, assessment.evaluation);
      return assessment;
    });
  }

  /** The current evaluation (recorded), with history and recent events. */
  async overview(model: Model, opts: { record: boolean } = { record: true }): Promise<DriftOverview & { assessment: DriftAssessment }> {
    const assessment = await this.evaluate(model, opts);
    // Reactions to an event this or an earlier evaluation raised: the answer comes after them.
    await this.reacting.get(model.id);
    const [history, events] = await Promise.all([this.history(model), this.events(model)]);
    return { model: model.name, ...assessment.evaluation, history, events, assessment };
  }

  /** Stored evaluations, oldest first. */
  async history(model: Model, limit = HISTORY_LIMIT): Promise<DriftSnapshot[]> {
    return (await listSnapshots(this.db, model.id, limit)).map(snapshotRowToSnapshot);
  }

  /** Recent drift events with their webhook deliveries, newest first. */
  async events(model: Model, limit = EVENTS_LISTED): Promise<DriftEvent[]> {
    return this.withDeliveries(model, await listEvents(this.db, model.id, limit));
  }

  /** The last stored verdict and event, without evaluating (dashboard, model description). */
  async latest(model: Model): Promise<{ snapshot: DriftSnapshot | undefined; lastEvent: DriftEvent | undefined }> {
    const [snapshot, event] = await Promise.all([findLastSnapshot(this.db, model.id), findLastEvent(this.db, model.id)]);
    const events = event ? await this.withDeliveries(model, [event]) : [];
    return { snapshot: snapshot && snapshotRowToSnapshot(snapshot), lastEvent: events[0] };
  }

  /** The last evaluation of a model in this process (recorded or not), for metrics; undefined before the first. */
  lastEvaluation(model: Model): DriftEvaluation | undefined {
    return this.lastEvaluations.get(model.id);
  }

  /** Starts webhook delivery, resuming deliveries left pending by a previous run. */
  start(): void {
    this.webhooks.start();
  }

  /** Stops evaluating after ingestion, waits for running evaluations and stops webhook delivery. */
  async stop(): Promise<void> {
    await this.trigger.stop();
    await this.evaluations.idle();
    await Promise.all(this.reacting.values());
    await this.webhooks.stop();
  }

  private async record(model: Model, ev: DriftEvaluation): Promise<void> {
    // Labels can move the accuracy estimate while the window stands still.
    const performance = ev.performance && JSON.stringify(ev.performance);
    // A cheap look first; the transaction looks again under the lock.
    const seen = await findLastSnapshot(this.db, model.id);
    if (seen && seen.to_seq === ev.window.toSeq && seen.status === ev.status && seen.performance_json === performance) return;
    // Clustered before the transaction (it reads the reference index), and only when an event may follow.
    const regions = ev.status === 'drift' || accuracyDropped(model, ev.performance) ? await this.eventContext.regions.find(model) : undefined;
    const event = await this.db.transaction().execute(async (trx) => {
      // Instances evaluating the same window record it once, and one event per cooldown.
      await lockUntilCommit(trx, 'driftRecord', model.id);
      const last = await findLastSnapshot(trx, model.id);
      if (last && last.to_seq === ev.window.toSeq && last.status === ev.status && last.performance_json === performance) return [];
      const snapshotId = await insertSnapshot(trx, {
        model_id: model.id,
        created_at: ev.evaluatedAt,
        from_seq: ev.window.fromSeq,
        to_seq: ev.window.toSeq,
        window_size: ev.window.size,
        window_count: ev.window.count,
        score: ev.score,
        threshold: ev.threshold,
        status: ev.status,
        tests_json: JSON.stringify(ev.tests.map(({ name, status, statistic, pValue, drift }) => ({ name, status, statistic, pValue, drift }))),
        performance_json: performance,
      });
      if (snapshotId % 100 === 0) await pruneSnapshots(trx, model.id, SNAPSHOTS_KEPT);
      const raised: number[] = [];
      const hurt = accuracyDropped(model, ev.performance);
      const context = { regions: regions ?? EMPTY_REGIONS, publicUrl: this.eventContext.publicUrl };
      if (ev.status === 'drift') {
        const pValue = ev.tests.find((t) => t.name === 'ood_rate')?.pValue ?? 1;
        // Input drift that is not shown to cost accuracy stays visible, one level down.
        const row: NewEvent = { kind: 'ood', severity: hurt ? 'critical' : 'warning', snapshot_id: snapshotId, score: ev.score, threshold: ev.threshold, p_value: pValue };
        const id = await raiseEvent(trx, model, ev.evaluatedAt, row, (eventId) => driftEventPayload(model, eventId, 'ood', ev, context));
        if (id !== undefined) raised.push(id);
      }
      if (hurt) {
        const row: NewEvent = { kind: 'performance', severity: 'critical', snapshot_id: snapshotId, score: hurt.estimate.estimatedAccuracy, threshold: hurt.threshold, p_value: PERFORMANCE_EVENT_LEVEL };
        const id = await raiseEvent(trx, model, ev.evaluatedAt, row, (eventId) => performanceEventPayload(model, eventId, ev, hurt, context));
        if (id !== undefined) raised.push(id);
      }
      return raised;
    });
    if (event.length === 0) return;
    this.webhooks.kick();
    const created = await this.withDeliveries(model, await listEventsById(this.db, event));
    for (const e of created) {
      this.log.warn({ model: model.name, event: e.id, kind: e.kind, severity: e.severity, score: e.score, threshold: e.threshold }, 'drift event');
      this.notify(e, model);
    }
  }

  /**
   * Publishes without waiting (the evaluation may run inside the trigger's advisory-lock
   * transaction, whose connection would stay checked out meanwhile), and keeps the reactions (a
   * queue boost, a retraining check) as the model's in flight: `overview` waits for them, so a
   * `GET .../drift` that answers `drift` answers once the queue favours the drifted items, and a
   * claim right after it is not handed the rest while the boost holds the drifted rows (FOR UPDATE
   * SKIP LOCKED passes over them). A failed reaction is logged, not anyone's error.
   */
  private notify(event: DriftEvent, model: Model): void {
    const published = this.bus.publish({ type: 'DriftRaised', model, event }).catch((err: unknown) => this.log.error({ err, model: model.name, event: event.id }, 'drift event handler failed'));
    const run = Promise.all([this.reacting.get(model.id), published]).then(() => undefined);
    this.reacting.set(model.id, run);
    void run.then(() => {
      if (this.reacting.get(model.id) === run) this.reacting.delete(model.id);
    });
  }

  private async withDeliveries(model: Model, rows: EventRow[]): Promise<DriftEvent[]> {
    const deliveries = await WebhookDispatcher.deliveriesOf(this.db, DRIFT_EVENT_TYPE, rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind === 'performance' ? 'performance' : 'ood',
      severity: r.severity === 'warning' ? 'warning' : 'critical',
      modelId: r.model_id,
      model: model.name,
      at: r.created_at,
      score: r.score,
      threshold: r.threshold,
      pValue: r.p_value,
      snapshotId: r.snapshot_id,
      deliveries: deliveries
        .filter((d) => d.event_id === r.id)
        .map((d): DeliverySummary => ({
          url: d.url,
          status: d.status,
          attempts: d.attempts,
          lastStatusCode: d.last_status_code,
          lastError: d.last_error,
        })),
    }));
  }

  private lock<T>(modelId: number, fn: () => Promise<T>): Promise<T> {
    return this.evaluations.run(modelId, fn);
  }
}

function snapshotRowToSnapshot(r: SnapshotRow): DriftSnapshot {
  return {
    id: r.id,
    at: r.created_at,
    toSeq: r.to_seq,
    count: r.window_count,
    score: r.score,
    threshold: r.threshold,
    status: r.status,
    tests: JSON.parse(r.tests_json) as DriftSnapshot['tests'],
    performance: r.performance_json ? (JSON.parse(r.performance_json) as PerformanceEstimate) : null,
  };
}
