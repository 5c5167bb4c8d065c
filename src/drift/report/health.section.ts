import { html } from 'hono/html';
import type { HealthCheck, HealthCheckName, HealthReport } from '../../health/health.types.js';
import { formatTime } from './report.format.js';

const TITLES: Record<HealthCheckName, { title: string; asks: string }> = {
  concept_balance: { title: 'Concept balance', asks: 'Does every concept have enough training examples?' },
  near_duplicates: { title: 'Near-duplicates', asks: 'Is the same input in the data several times?' },
  label_conflicts: { title: 'Label conflicts', asks: 'Do near-identical inputs carry different concepts?' },
  train_eval_leakage: { title: 'Train/eval leakage', asks: 'Does eval data have near-duplicates in train?' },
  concept_distinctness: { title: 'Concept distinctness', asks: 'Can the embedding tell the concepts apart (k-NN purity)?' },
  training_coverage: { title: 'Training coverage', asks: 'Does training data cover what production sends?' },
  concept_spread: { title: 'Concept spread', asks: 'Is a concept far wider than the others?' },
  calibration_size: { title: 'Calibration size', asks: 'Is the eval split large enough for the OOD quantile?' },
};

function ids(c: HealthCheck) {
  if (!c.ids || c.ids.length === 0) return html`<span class="muted">—</span>`;
  const total = c.idsTotal ?? c.ids.length;
  const more = total - c.ids.length;
  const what = c.name === 'training_coverage' ? 'prediction' : 'example';
  return html`<details class="ids"><summary>${total} ${what}${total === 1 ? '' : 's'}</summary><div class="mono small">${c.ids.join(', ')}${more > 0 ? html` <span class="muted">and ${more} more</span>` : ''}</div></details>`;
}

function countsLine(r: HealthReport) {
  const concepts = Object.entries(r.counts.byConcept);
  return html`<details class="small"><summary>${r.counts.train} train and ${r.counts.eval} eval examples over ${concepts.length} concept${concepts.length === 1 ? '' : 's'}</summary>
<table class="health-counts"><thead><tr><th>Concept</th><th class="num">Train</th><th class="num">Eval</th></tr></thead>
<tbody>${concepts.map(([c, n]) => html`<tr><td>${c}</td><td class="num mono">${n.train}</td><td class="num mono">${n.eval}</td></tr>`)}</tbody></table></details>`;
}

/** The training-data checklist: one row per check with its verdict, finding and the ids involved. */
export function healthSection(r: HealthReport) {
  const warned = r.checks.filter((c) => c.status === 'warn').length;
  return html`<p class="${warned > 0 ? '' : 'muted'}">${warned === 0 ? 'Every check passes.' : `${warned} of ${r.checks.length} checks need attention.`}
<span class="muted small">Computed ${formatTime(r.computedAt)}.</span></p>
${countsLine(r)}
<p class="small" id="calibration-health"><span class="badge ${r.calibration.sequentialDetector.armed ? 'ok' : 'warn'}">${r.calibration.sequentialDetector.armed ? 'armed' : 'unarmed'}</span> ${r.calibration.sequentialDetector.message}</p>
<table class="health"><thead><tr><th>Check</th><th>Verdict</th><th>Finding</th><th>Involved</th></tr></thead>
<tbody>${r.checks.map(
    (c) => html`<tr data-check="${c.name}"><td><strong>${TITLES[c.name].title}</strong><div class="muted small">${TITLES[c.name].asks}</div><div class="mono muted">${c.name}</div></td>
<td><span class="badge ${c.status === 'warn' ? 'warn' : 'ok'}">${c.status}</span></td>
<td>${c.message}</td><td>${ids(c)}</td></tr>`,
  )}</tbody></table>`;
}
