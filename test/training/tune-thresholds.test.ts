import { describe, expect, it } from 'vitest';
import type { LabeledRows } from '../../src/training/training-data.js';
import { tuneThresholds } from '../../src/training/tune-thresholds.js';

/** Validation rows of one concept cleanly separated: positives score 0.96–0.999, negatives 0.001–0.05. */
function separated(n: number): { rows: LabeledRows; probs: Float32Array } {
  const y = new Float32Array(n * 2);
  const probs = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const positive = i % 2 === 0;
    y[i * 2] = positive ? 1 : 0;
    y[i * 2 + 1] = positive ? 0 : 1;
    const high = 0.96 + (0.039 * i) / n;
    const low = 0.001 + (0.049 * i) / n;
    probs[i * 2] = positive ? high : low;
    probs[i * 2 + 1] = positive ? low : high;
  }
  return { rows: { ids: [], n, dim: 0, x: new Float32Array(0), y, production: new Uint8Array(n) }, probs };
}

const settings = { targetPrecision: 0.9, minThresholdRows: 30, thresholdPriorRows: 10 };

describe('tuneThresholds', () => {
  it('when fewer validation rows than retrain.minThresholdRows exist, then nothing is tuned and the version says why', () => {
    const { rows, probs } = separated(29);
    const t = tuneThresholds('multilabel', ['a', 'b'], probs, rows, settings);
    expect(t).toMatchObject({ kind: 'multilabel', perConcept: { a: 0.5, b: 0.5 }, tunedOn: 0 });
    expect(t.untuned).toMatch(/29 validation rows.*minThresholdRows \(30\)/);
    const mc = tuneThresholds('multiclass', ['a', 'b'], probs, rows, settings);
    expect(mc).toMatchObject({ kind: 'multiclass', abstain: { threshold: 0, coverage: 1 }, tunedOn: 0 });
  });

  it('when the classes are cleanly separated, then each threshold sits in the middle of the gap, shrunk toward 0.5, far from the lowest positive score', () => {
    const { rows, probs } = separated(40);
    const t = tuneThresholds('multilabel', ['a', 'b'], probs, rows, settings);
    expect(t.untuned).toBeUndefined();
    expect(t.tunedOn).toBe(40);
    if (t.kind !== 'multilabel') throw new Error('multilabel expected');
    for (const c of ['a', 'b']) {
      // The gap is (max negative, min positive] = (≈0.049, 0.96]; its middle ≈ 0.5045, then shrunk 20:10 toward 0.5.
      expect(t.perConcept[c]).toBeGreaterThan(0.45);
      expect(t.perConcept[c]).toBeLessThan(0.55);
    }
  });
});
