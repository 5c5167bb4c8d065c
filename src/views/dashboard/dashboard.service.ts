import type { DriftService } from '../../drift/drift.service.js';
import { accuracyTrend, TREND_SNAPSHOTS, type AccuracyTrend } from './accuracy-trend.js';
import type { DriftEvent, DriftSnapshot } from '../../drift/drift.types.js';
import type { ModelsService } from '../../models/models.service.js';
import type { QueueService } from '../../queue/queue.service.js';
import type { VersionsService } from '../../training/versions.service.js';

/** One model as the dashboard shows it. */
export interface DashboardRow {
  name: string;
  task: string;
  concepts: number;
  predictions: number;
  examples: { train: number; eval: number };
  drift: DriftSnapshot | undefined;
  lastEvent: DriftEvent | undefined;
  /** Pending review items. */
  queueDepth: number | undefined;
  /** The champion version, if any. */
  champion: string | undefined;
  /** Without a champion: the latest version and why the rule did not promote it. */
  waiting: { version: number; reason: string } | undefined;
  /** Estimated accuracy now and its change over the recent evaluations. */
  accuracy: AccuracyTrend | undefined;
}

/** Gathers the dashboard rows: a view, so it reads each feature directly. */
export class DashboardService {
  constructor(
    private readonly models: ModelsService,
    private readonly queue: QueueService,
    private readonly versions: VersionsService,
    private readonly drift: DriftService,
  ) {}

  async rows(): Promise<DashboardRow[]> {
    const models = await this.models.list();
    return Promise.all(
      models.map(async (m) => {
        const [counts, depth, champion, latest, history] = await Promise.all([
          this.models.counts(m),
          this.queue.depth(m),
          this.versions.champion(m),
          this.drift.latest(m),
          this.drift.history(m, TREND_SNAPSHOTS),
        ]);
        const waiting = champion ? undefined : await this.versions.latest(m);
        return {
          name: m.name,
          task: m.task,
          concepts: m.concepts.length,
          predictions: counts.predictions,
          examples: { train: counts.train, eval: counts.eval },
          drift: latest.snapshot,
          lastEvent: latest.lastEvent,
          queueDepth: depth.pending,
          champion: champion ? String(champion.version) : undefined,
          waiting: waiting && { version: waiting.version, reason: waiting.decision.reason },
          accuracy: accuracyTrend(history),
        };
      }),
    );
  }
}
