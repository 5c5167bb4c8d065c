import { listed, pct } from './format.js';
import type { ConceptCount, HealthCheck } from './health.types.js';

/** concept_balance: train counts per concept, their max/min ratio, and concepts with no examples. */
export function balanceCheck(concepts: string[], trainCounts: number[], trainTotal: number, maxRatio: number): HealthCheck {
  const count = (i: number): ConceptCount => ({ concept: concepts[i]!, count: trainCounts[i]!, share: trainTotal > 0 ? trainCounts[i]! / trainTotal : 0 });
  const present = concepts.map((_, i) => i).filter((i) => trainCounts[i]! > 0);
  const missing = concepts.filter((_, i) => trainCounts[i] === 0);
  const largest = present.length > 0 ? present.reduce((a, b) => (trainCounts[b]! > trainCounts[a]! ? b : a)) : undefined;
  const smallest = present.length > 0 ? present.reduce((a, b) => (trainCounts[b]! < trainCounts[a]! ? b : a)) : undefined;
  const ratio = present.length >= 2 ? trainCounts[largest!]! / trainCounts[smallest!]! : null;
  const details = {
    ratio,
    maxRatio,
    largest: largest === undefined ? null : count(largest),
    smallest: smallest === undefined ? null : count(smallest),
    missing,
  };
  const problems: string[] = [];
  if (trainTotal === 0) problems.push('No train examples yet.');
  else if (missing.length > 0) problems.push(`No train examples for ${listed(missing)}.`);
  if (ratio !== null && ratio > maxRatio) {
    const s = details.smallest!;
    problems.push(`${details.largest!.concept} has ${details.largest!.count} train examples, ${s.concept} only ${s.count} (${ratio.toFixed(1)}×; limit ${maxRatio}×); ${s.concept} is ${pct(s.share, 1)} of the train split.`);
  }
  if (problems.length > 0) return { name: 'concept_balance', status: 'warn', message: problems.join(' '), details };
  const message =
    ratio === null
      ? `All ${trainTotal} train examples carry ${details.largest!.concept}.`
      : ratio === 1
        ? `Every concept has ${details.largest!.count} train example${details.largest!.count === 1 ? '' : 's'} (1.0×, limit ${maxRatio}×).`
        : `Train counts range from ${details.smallest!.count} (${details.smallest!.concept}) to ${details.largest!.count} (${details.largest!.concept}), ${ratio.toFixed(1)}× (limit ${maxRatio}×).`;
  return { name: 'concept_balance', status: 'ok', message, details };
}
