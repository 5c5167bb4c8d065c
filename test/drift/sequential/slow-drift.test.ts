import { describe, expect, it } from 'vitest';
import { oodRateTest } from '../../../src/drift/detectors/ood-rate.detector.js';
import { defaultSettings } from '../../../src/models/settings.js';
import { mulberry32 } from '../../../src/util/random.js';

// Shifted inputs are OOD with the rate phone-like photos have on the demo data (70%);
// in-distribution ones with 1 − quantile.
const SHIFTED_OOD = 0.7;

describe('slow drift: the window rule', () => {
  it('when 1% more inputs are shifted every 500 predictions, then the window rule (defaults, evaluated every 25) flags drift once about 15% are shifted', () => {
    const { drift, ood } = defaultSettings();
    const window = drift.windowSize;
    for (const seed of [1, 2, 3]) {
      const random = mulberry32(seed);
      const flags: number[] = [];
      let caughtAt: number | undefined;
      for (let t = 0; t < 20_000 && caughtAt === undefined; t++) {
        const shifted = random() < Math.floor(t / 500) * 0.01;
        flags.push(random() < (shifted ? SHIFTED_OOD : 1 - ood.quantile) ? 1 : 0);
        if ((t + 1) % 25 !== 0 || flags.length < window) continue;
        const last = flags.slice(-window);
        const verdict = oodRateTest({ oodCount: last.reduce((a, b) => a + b, 0), count: window, quantile: ood.quantile, threshold: drift.threshold, alpha: drift.alpha });
        if (verdict.drift) caughtAt = t + 1;
      }
      expect(caughtAt).toBeDefined();
      const shiftedShare = Math.floor(caughtAt! / 500) * 0.01;
      // Expected OOD rate 0.05 + 0.65·share crosses the 15% threshold at a share of ~15%.
      expect(shiftedShare).toBeGreaterThanOrEqual(0.1);
      expect(shiftedShare).toBeLessThanOrEqual(0.2);
    }
  });
});
