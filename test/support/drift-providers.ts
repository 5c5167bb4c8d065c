import type { DriftProviders } from '../../src/drift/drift.providers.js';

/**
 * Lets a test stand in for what drift reads from other features, one provider at a time;
 * pass `wrap` as `replace.driftProviders`, then `set` a stand-in or `set` it back to undefined.
 */
export class DriftProviderStandIns {
  private readonly standIns: Partial<DriftProviders> = {};

  readonly wrap = (real: DriftProviders): DriftProviders => ({
    appReferenceScores: (m, limit) => (this.standIns.appReferenceScores ?? real.appReferenceScores)(m, limit),
    calibration: (m) => (this.standIns.calibration ?? real.calibration)(m),
    labeledAccuracy: (m) => (this.standIns.labeledAccuracy ?? real.labeledAccuracy)(m),
    performanceCalibration: (m) => (this.standIns.performanceCalibration ?? real.performanceCalibration)(m),
    performanceLabels: (m) => (this.standIns.performanceLabels ?? real.performanceLabels)(m),
    referenceEpoch: (m) => (this.standIns.referenceEpoch ?? real.referenceEpoch)(m),
    remeasure: (m, e) => (this.standIns.remeasure ?? real.remeasure)(m, e),
    versions: (m) => (this.standIns.versions ?? real.versions)(m),
    trainingHealth: (m) => (this.standIns.trainingHealth ?? real.trainingHealth)(m),
    regions: (m) => (this.standIns.regions ?? real.regions)(m),
  });

  set(standIns: { [K in keyof DriftProviders]?: DriftProviders[K] | undefined }): void {
    for (const [k, v] of Object.entries(standIns)) {
      if (v === undefined) delete this.standIns[k as keyof DriftProviders];
      else Object.assign(this.standIns, { [k]: v });
    }
  }
}
