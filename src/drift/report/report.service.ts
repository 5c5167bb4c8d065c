import type { Model } from '../../models/model.js';
import type { ReferenceRegistry } from '../../reference/reference.registry.js';
import type { DriftService } from '../drift.service.js';
import type { DriftReport } from './report.types.js';

/** Assembles the drift report: evaluation, history, distributions, regions and versions. */
export class DriftReportService {
  constructor(
    private readonly drift: DriftService,
    private readonly references: ReferenceRegistry,
  ) {}

  /** The report; `record: false` (CLI) evaluates without storing a snapshot or raising events. */
  async build(model: Model, opts: { record: boolean } = { record: true }): Promise<DriftReport> {
    const { assessment, ...overview } = await this.drift.overview(model, opts);
    const set = await this.references.get(model);
    const [regions, versions, health] = await Promise.all([
      this.drift.provided.regions?.(model),
      this.drift.provided.versions(model),
      this.drift.provided.trainingHealth?.(model),
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
      },
      generatedAt: new Date().toISOString(),
      calibration: set.calibrationSource(),
      drift: overview,
      distributions: assessment.distributions,
      regions: regions ?? null,
      versions,
      health: health ?? null,
    };
  }
}
