import type { ExampleSnapshot } from './example-snapshot.js';
import { pct, plural } from './format.js';
import type { ExamplePair, HealthCheck } from './health.types.js';
import type { NearPairs } from './near-pairs.js';

/** Ids of the flagged rows, in row order, capped, with their total. */
function flaggedIds(snap: ExampleSnapshot, flags: Uint8Array, cap: number): { ids: string[]; idsTotal: number } {
  const ids: string[] = [];
  let idsTotal = 0;
  for (let r = 0; r < flags.length; r++) {
    if (!flags[r]) continue;
    idsTotal++;
    if (ids.length < cap) ids.push(snap.ids[r]!);
  }
  return { ids, idsTotal };
}

function toPair(snap: ExampleSnapshot, [a, b, distance]: [number, number, number]): ExamplePair {
  const names = (r: number) => snap.concepts[r]!.map((c) => snap.conceptNames[c]!);
  return { ids: [snap.ids[a]!, snap.ids[b]!], concepts: [names(a), names(b)], distance };
}

/** near_duplicates: groups of examples within the radius of one another (single linkage). */
export function duplicatesCheck(snap: ExampleSnapshot, pairs: NearPairs, cap: number): HealthCheck {
  const groups = pairs.groups.groups();
  const members = groups.reduce((s, g) => s + g.length, 0);
  const details = {
    radius: pairs.radius,
    pairs: pairs.pairs,
    exactPairs: pairs.exactPairs,
    groups: groups.length,
    redundant: members - groups.length,
    sample: groups.slice(0, cap).map((g) => g.map((r) => snap.ids[r]!)),
  };
  if (groups.length === 0) {
    return { name: 'near_duplicates', status: 'ok', message: `No two examples are within the near-duplicate radius (${pairs.radius.toPrecision(2)}).`, details };
  }
  const ids = groups.flat().slice(0, cap).map((r) => snap.ids[r]!);
  const exact = pairs.exactPairs > 0 ? ` (${plural(pairs.exactPairs, 'pair')} identical)` : '';
  return {
    name: 'near_duplicates',
    status: 'warn',
    message: `${members} examples form ${plural(groups.length, 'group')} of near-duplicates within ${pairs.radius.toPrecision(2)}${exact}; ${details.redundant} could go with one kept per group. Duplicates weigh their input more in training and in the OOD calibration.`,
    ids,
    idsTotal: members,
    details,
  };
}

/** label_conflicts: near-duplicates that carry different concepts. */
export function conflictsCheck(snap: ExampleSnapshot, pairs: NearPairs, cap: number): HealthCheck {
  const details = { radius: pairs.radius, pairs: pairs.conflictPairs, sample: pairs.conflicts.values().map((p) => toPair(snap, p)) };
  if (pairs.conflictPairs === 0) return { name: 'label_conflicts', status: 'ok', message: 'No near-duplicate examples carry different concepts.', details };
  return {
    name: 'label_conflicts',
    status: 'warn',
    message: `${plural(pairs.conflictPairs, 'pair')} of near-duplicate examples ${pairs.conflictPairs === 1 ? 'carries' : 'carry'} different concepts: one label of each pair is likely wrong, or the concepts overlap.`,
    ...flaggedIds(snap, pairs.conflicted, cap),
    details,
  };
}

/** train_eval_leakage: eval examples with a near-duplicate in train. */
export function leakageCheck(snap: ExampleSnapshot, pairs: NearPairs, cap: number): HealthCheck {
  const { ids, idsTotal } = flaggedIds(snap, pairs.leaked, cap);
  const evalTotal = snap.evalRows.length;
  const share = evalTotal > 0 ? idsTotal / evalTotal : 0;
  const details = { radius: pairs.radius, leaked: idsTotal, evalTotal, share, sample: pairs.leaks.values().map((p) => toPair(snap, p)) };
  if (idsTotal === 0) {
    return { name: 'train_eval_leakage', status: 'ok', message: evalTotal === 0 ? 'No eval examples yet.' : `None of the ${evalTotal} eval examples has a near-duplicate in train.`, details };
  }
  return {
    name: 'train_eval_leakage',
    status: 'warn',
    message: `${idsTotal} of ${evalTotal} eval examples (${pct(share, 1)}) ${idsTotal === 1 ? 'has' : 'have'} a near-duplicate in train, so eval scores overstate how the model does on new inputs.`,
    ids,
    idsTotal,
    details,
  };
}
