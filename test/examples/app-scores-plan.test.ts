import { describe, expect, it } from 'vitest';
import { findAppTopScores } from '../../src/examples/examples.repository.js';
import { scoredEvalVersion } from '../../src/examples/example-reads.repository.js';
import { freshSqlitePlansOf } from '../support/query-plans.js';

describe("the app's scores on examples (confidence_shift's reference, read at every drift evaluation)", () => {
  // It walked every example of the model (100k rows: 0.2 s on the event loop) to find the few with a score.
  it('when they are read, then SQLite walks the partial index of scored examples only', async () => {
    let scores: number[] | undefined;
    const plans = await freshSqlitePlansOf(async (db) => (scores = await findAppTopScores(db, 1, 5000)));
    expect(scores).toEqual([]);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatch(/USING INDEX examples_app_scores \(model_id=\?\)/);
  });

  // Every drift evaluation asks for their version: it read every eval example's row to test scores_json (20 ms at 20k).
  it('when their version is read, then SQLite walks the partial index of scored eval examples only', async () => {
    const plans = await freshSqlitePlansOf((db) => scoredEvalVersion(db, 1));
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatch(/USING (COVERING )?INDEX examples_scored_eval \(model_id=\? AND split=\?\)/);
  });
});
