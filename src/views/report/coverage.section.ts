import { html } from 'hono/html';
import type { DriftReport } from '../../drift/report/report.types.js';
import { formatPercent } from './report.format.js';

/**
 * After a promotion that took labeled production data into the reference: whether the new
 * champion covers the drifted data, from the window re-measured against its reference and
 * from its production-eval accuracy beside the replaced champion's on the same items.
 */
export function coverageNote(r: DriftReport) {
  const x = r.drift.rescored;
  if (!x) return '';
  const then = x.oodAtIngestion / x.predictions;
  const now = x.oodNow / x.predictions;
  const covers = now < r.drift.threshold;
  const head = covers ? `Champion v${x.version} covers the drifted data:` : `Champion v${x.version} does not cover the drifted data yet:`;
  const measured = `of the ${x.predictions} predictions of this window scored before its promotion, ${formatPercent(then)} were out of distribution then and ${formatPercent(now)} are now against its reference (threshold ${formatPercent(r.drift.threshold, 0)}).`;
  const e = r.versions.find((v) => v.version === x.version)?.decision?.production;
  const evalPart = e
    ? ` On production eval, v${x.version} is right on ${formatPercent(e.accuracy)} of ${e.size} labeled items where v${e.replaced.version} was right on ${formatPercent(e.replaced.accuracy)} of the same items.`
    : '';
  return html`<div class="alert ${covers ? 'ok' : ''} coverage"><strong>${head}</strong> ${measured}${evalPart}</div>`;
}
