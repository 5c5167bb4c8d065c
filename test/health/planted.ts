import { gaussian, mulberry32 } from '../../src/util/random.js';

/** An example as the examples endpoint takes it, split given explicitly. */
interface PlantedExample {
  id: string;
  embedding: number[];
  concepts: string[];
  split: 'train' | 'eval';
}

/** Seeded Gaussian clusters around random directions: the raw material of the planted data. */
export class Space {
  private readonly normal: () => number;

  constructor(
    readonly dim: number,
    seed: number,
  ) {
    this.normal = gaussian(mulberry32(seed));
  }

  direction(): number[] {
    return Array.from({ length: this.dim }, () => this.normal());
  }

  /** A point around `center`, each axis jittered by `spread` (relative to the centre's axes, about 1). */
  around(center: number[], spread: number): number[] {
    return center.map((x) => x + spread * this.normal());
  }
}

const NORMAL = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];
export const CONCEPTS = [...NORMAL, 'wide', 'ale', 'lager', 'rare'];
const SPREAD = 0.3;

/**
 * Training data with one of every problem the checklist looks for, and the ids that a
 * correct checklist reports for each.
 */
export function plantedData(dim = 32, seed = 3) {
  const space = new Space(dim, seed);
  const centers = new Map(CONCEPTS.map((c) => [c, space.direction()]));
  // ale and lager: two concepts the embedding cannot tell apart (one region).
  centers.set('lager', centers.get('ale')!);
  const examples: PlantedExample[] = [];
  const add = (id: string, embedding: number[], concept: string, split: 'train' | 'eval' = 'train') => examples.push({ id, embedding, concepts: [concept], split });
  const perConcept: Record<string, number> = { c0: 300, wide: 150, rare: 12 };
  for (const c of CONCEPTS) {
    const n = perConcept[c] ?? 100;
    const spread = c === 'wide' ? 1.0 : SPREAD;
    for (let i = 0; i < n; i++) add(`${c}-${i}`, space.around(centers.get(c)!, spread), c);
    for (let i = 0; i < (c === 'rare' ? 3 : 20); i++) add(`${c}-eval-${i}`, space.around(centers.get(c)!, spread), c, 'eval');
  }
  // About 0.0005 in cosine distance: far inside the 0.02 radius, far outside float rounding.
  const nudge = (v: number[]) => space.around(v, 0.03);
  // Exact and near duplicates within one concept.
  const a = space.around(centers.get('c0')!, SPREAD);
  add('dup-exact-1', a, 'c0');
  add('dup-exact-2', [...a], 'c0');
  const b = space.around(centers.get('c1')!, SPREAD);
  add('dup-near-1', b, 'c1');
  add('dup-near-2', nudge(b), 'c1');
  add('dup-near-3', nudge(nudge(b)), 'c1');
  // The same input labeled twice, differently.
  const c = space.around(centers.get('c3')!, SPREAD);
  add('conflict-c3', c, 'c3');
  add('conflict-c4', nudge(c), 'c4');
  // Eval examples whose near-twin is in train.
  for (let i = 0; i < 3; i++) {
    const v = space.around(centers.get('c5')!, SPREAD);
    add(`leak-train-${i}`, v, 'c5');
    add(`leak-eval-${i}`, nudge(v), 'c5', 'eval');
  }
  const novel = [space.direction(), space.direction()];
  return {
    dim,
    examples,
    expected: {
      duplicateGroups: [['dup-exact-1', 'dup-exact-2'], ['dup-near-1', 'dup-near-2', 'dup-near-3'], ['conflict-c3', 'conflict-c4'], ...[0, 1, 2].map((i) => [`leak-train-${i}`, `leak-eval-${i}`])],
      conflicts: ['conflict-c3', 'conflict-c4'],
      leaked: ['leak-eval-0', 'leak-eval-1', 'leak-eval-2'],
      overlapping: ['ale', 'lager'],
      wide: 'wide',
      rare: 'rare',
      largest: 'c0',
    },
    /** Production: `familiar` inputs like the normal concepts, then `far` ones from regions training never saw. */
    predictions(familiar: number, far: number) {
      const scores = (k: string) => Object.fromEntries(CONCEPTS.map((x) => [x, x === k ? 0.7 : 0.3 / (CONCEPTS.length - 1)]));
      const near = Array.from({ length: familiar }, (_, i) => {
        const k = NORMAL[i % NORMAL.length]!;
        return { id: `familiar-${i}`, embedding: space.around(centers.get(k)!, SPREAD), scores: scores(k) };
      });
      const away = Array.from({ length: far }, (_, i) => ({ id: `far-${i}`, embedding: space.around(novel[i % 2]!, SPREAD), scores: scores(NORMAL[i % NORMAL.length]!) }));
      return [...near, ...away];
    },
  };
}
