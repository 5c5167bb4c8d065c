import type { DriftService } from '../drift/drift.service.js';
import { accuracyTrend, TREND_SNAPSHOTS, type AccuracyTrend } from './accuracy-trend.js';
import type { DriftEvent, DriftSnapshot } from '../drift/drift.types.js';
import type { ModelDescriptions } from '../models/model-descriptions.js';
import type { ModelsService } from '../models/models.service.js';

/** One model as the dashboard shows it. */
export interface DashboardRow {
  name: string;
  task: string;
  concepts: number;
  predictions: number;
  examples: { train: number; eval: number };
  drift: DriftSnapshot | undefined;
  lastEvent: DriftEvent | undefined;
  /** Pending review items, when the review queue reports them in the model description. */
  queueDepth: number | undefined;
  /** The champion version, when retraining reports it in the model description. */
  champion: string | undefined;
  /** Estimated accuracy now and its change over the recent evaluations. */
  accuracy: AccuracyTrend | undefined;
}

/** Gathers the dashboard rows from the model descriptions and the last stored drift verdicts. */
export class DashboardService {
  constructor(
    private readonly models: ModelsService,
    private readonly descriptions: ModelDescriptions,
    private readonly drift: DriftService,
  ) {}

  async rows(): Promise<DashboardRow[]> {
    const models = await this.models.list();
    return Promise.all(
      models.map(async (m) => {
        const [description, latest, history] = await Promise.all([this.descriptions.describe(m), this.drift.latest(m), this.drift.history(m, TREND_SNAPSHOTS)]);
        return {
          name: m.name,
          task: m.task,
          concepts: m.concepts.length,
          predictions: description.counts.predictions,
          examples: description.counts.examples,
          drift: latest.snapshot,
          lastEvent: latest.lastEvent,
          queueDepth: queueDepthOf(description),
          champion: championOf(description),
          accuracy: accuracyTrend(history),
        };
      }),
    );
  }
}

// Other features add these to the model description; read them defensively until they exist.
function queueDepthOf(d: Record<string, unknown>): number | undefined {
  const q = d.queue;
  if (typeof q === 'number') return q;
  if (q && typeof q === 'object' && typeof (q as { pending?: unknown }).pending === 'number') return (q as { pending: number }).pending;
  return typeof d.queueDepth === 'number' ? d.queueDepth : undefined;
}

function championOf(d: Record<string, unknown>): string | undefined {
  const c = d.champion;
  if (typeof c === 'string' || typeof c === 'number') return String(c);
  if (c && typeof c === 'object' && 'version' in c) return String((c as { version: unknown }).version);
  return undefined;
}
