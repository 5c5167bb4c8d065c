import { fixed, pct } from './format.js';
import type { HealthCheck } from './health.types.js';

/** What the coverage scan of the production window found. */
export interface CoverageScan {
  window: number;
  radius: number | null;
  uncoveredIds: string[];
  uncovered: number;
}

/** training_coverage: share of recent production with no train neighbour inside the OOD radius. */
export function coverageCheck(scan: CoverageScan, maxShare: number): HealthCheck {
  const share = scan.window > 0 ? scan.uncovered / scan.window : 0;
  const details = { window: scan.window, uncovered: scan.uncovered, share, maxShare, radius: scan.radius };
  if (scan.window === 0) return { name: 'training_coverage', status: 'ok', message: 'No production predictions yet.', details };
  if (scan.radius === null) return { name: 'training_coverage', status: 'ok', message: 'No OOD radius yet: the train split is too small to calibrate.', details };
  const what = `${pct(share, 1)} of the last ${scan.window} predictions have no training example within the OOD radius (${fixed(scan.radius)})`;
  if (share <= maxShare) return { name: 'training_coverage', status: 'ok', message: `${what}; limit ${pct(maxShare, 1)}.`, details };
  return {
    name: 'training_coverage',
    status: 'warn',
    message: `${what}, above the ${pct(maxShare, 1)} limit: the training set is too narrow for what production sends. Collect and label inputs like these.`,
    ids: scan.uncoveredIds,
    idsTotal: scan.uncovered,
    details,
  };
}
