import { describe, expect, it } from 'vitest';
import { ConfidenceCalibration } from '../../../src/drift/performance/calibration.js';
import { estimatePerformance } from '../../../src/drift/performance/estimate.js';
import { PerformanceAssessor } from '../../../src/drift/performance/performance.assessor.js';
import type { CalibrationSource } from '../../../src/drift/performance/performance.types.js';
import type { Model } from '../../../src/models/model.js';
import { PerformanceWorld } from '../../support/performance-world.js';

describe('performance assessor', () => {
  const world = new PerformanceWorld(9);
  const pairs = world.calibration(1000);
  const source: CalibrationSource = { kind: 'pairs', source: '1000 eval examples sent with scores', pairs };
  const window = world.production(1000);
  const model = { id: 1 } as Model;
  const direct = (labeled: ReturnType<PerformanceWorld['queueSelect']>) =>
    estimatePerformance({ calibration: ConfidenceCalibration.fit(pairs), calibrationSource: source.source, window, labeled });

  it('when it keeps the calibration and the labels’ residuals between evaluations, then every answer equals the estimate computed from scratch, and new labels are taken in', () => {
    const assessor = new PerformanceAssessor();
    const first = world.queueSelect(world.production(4000), 200);
    expect(assessor.assess(model, window, source, first)).toEqual(direct(first));
    expect(assessor.assess(model, window, source, first)).toEqual(direct(first));
    const more = world.queueSelect(world.production(4000), 400);
    const after = assessor.assess(model, window, source, more);
    expect(after).toEqual(direct(more));
    expect(after!.labeled!.n).toBe(400);
    expect(assessor.assess(model, window, source, [])).toEqual(direct([]));
  });
});
