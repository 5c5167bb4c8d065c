import type { ReferenceNeighbor } from '../reference/reference-set.js';

/** The concept the nearest training neighbours vote for, and the share of them that do. */
export interface KnnVote {
  concept: string | null;
  share: number;
}

/** Majority vote over the neighbours' concepts (each neighbour votes for each of its concepts). */
export function knnVote(neighbors: ReferenceNeighbor[]): KnnVote {
  if (neighbors.length === 0) return { concept: null, share: 0 };
  const votes = new Map<string, number>();
  for (const n of neighbors) for (const c of n.concepts) votes.set(c, (votes.get(c) ?? 0) + 1);
  let best: string | null = null;
  let bestVotes = 0;
  // Ties go to the concept of the nearer neighbour: neighbours come nearest first.
  for (const n of neighbors) {
    for (const c of n.concepts) {
      const v = votes.get(c)!;
      if (v > bestVotes) {
        best = c;
        bestVotes = v;
      }
    }
  }
  return { concept: best, share: bestVotes / neighbors.length };
}
