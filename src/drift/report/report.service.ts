import type { Db } from '../../db/database.js';
import type { Model } from '../../models/model.js';
import type { ReferenceRegistry } from '../../reference/reference.registry.js';
import { isoNow, type Clock } from '../../util/clock.js';
import type { DriftProviders } from '../drift.providers.js';
import type { DriftService } from '../drift.service.js';
import type { NewRegions } from '../new-regions.js';
import type { DriftReport } from './report.types.js';

/** Assembles the drift report: evaluation, history, distributions, new regions and versions. */
export class DriftReportService {
  constructor(
    private readonly db: Db,
    private readonly drift: DriftService,
    private readonly providers: DriftProviders,
    private readonly references: ReferenceRegistry,
    private readonly regions: NewRegions,
    private readonly clock: Clock,
  ) {}

  /** The report; `record: false` (CLI) evaluates without storing a snapshot or raising events. */
  async build(model: Model, opts: { record: boolean } = { record: true }): Promise<DriftReport> {
    const { assessment, ...overview } = await this.drift.overview(model, opts);
    const set = await this.references.get(model);
    const [newRegions, versions, health] = await Promise.all([
      this.regions.find(model),
      this.providers.versions(model),
      this.providers.trainingHealth(model),
    ]);
    return {
      model: {
        name: model.name,
        task: model.task,
        metric: model.metric,
        embeddingDim: model.embeddingDim,
        encoder: model.encoder,
        concepts: model.concepts.length,
        quantile: model.settings.ood.quantile,
        maxAccuracyDrop: model.settings.drift.maxAccuracyDrop,
      },
      generatedAt: isoNow(this.clock),
      calibration: set.calibrationSource(),
      drift: overview,
      distributions: assessment.distributions,
      newRegions,
      versions,
      health: health ?? null,
    };
  }
}
