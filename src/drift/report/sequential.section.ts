import { html } from 'hono/html';
import type { SequentialStatus } from '../sequential/sequential.types.js';
import { formatAge, formatPercent, formatTime } from './report.format.js';

/** KPI tile: where the sequential detector stands and when it alarmed. */
export function sequentialKpi(s: SequentialStatus, now: number) {
  const value = s.state === 'unarmed' ? 'not armed' : s.alarm ? `alarm ${formatAge(s.alarm.at, now)}` : `${s.statistic} / ${s.limit}`;
  const sub =
    s.state === 'unarmed'
      ? `${s.calibration.size} ${s.calibration.source} calibration points, needs ${s.calibration.required} eval`
      : s.alarm
        ? `at prediction #${s.alarm.seq} · ${formatTime(s.alarm.at)} · now ${s.statistic} / ${s.limit}`
        : `CUSUM statistic of limit · ${s.observed} predictions since reset`;
  return html`<div class="kpi" id="sequential-detector"><div class="label">Sequential detector</div><div class="value ${s.alarm ? 'bad' : s.state === 'armed' ? 'good' : ''}">${value}</div>
<div class="sub">${sub}</div></div>`;
}

/** The banner sentence when the sequential detector, not the window, says drift. */
export function sequentialAlarmNote(s: SequentialStatus) {
  if (!s.alarm) return '';
  return html` <strong>Sequential detector alarm</strong> at prediction #${s.alarm.seq} (${formatTime(s.alarm.at)}): the stream of OOD flags rose faster than in-distribution data allows (one false alarm per ${Math.round(s.arl0Exact).toLocaleString('en-US')} predictions on average).`;
}

/** The method note. */
export function sequentialMethod(s: SequentialStatus) {
  return html`<li>Sequential detector: a Bernoulli CUSUM on each prediction's OOD flag, +${s.up} per OOD prediction and −${s.down} per other one (floored at 0), alarm at ${s.limit}: tuned to catch a jump from ${formatPercent(s.p0)} to ${formatPercent(s.target, 0)} OOD fastest, with one false alarm per ${Math.round(s.arl0Exact).toLocaleString('en-US')} in-distribution predictions on average (drift.arl0 ${s.arl0.toLocaleString('en-US')}, exact Markov chain). It arms from ${s.calibration.required} eval examples and resets when the reference takes in new examples. ${s.summary}</li>`;
}
