import type { ReferenceNeighbor } from '../reference/reference-set.js';

/** The concept the nearest training neighbours vote for, and the share of them that do. */
export interface KnnVote {
  concept: string | null;
  share: number;
}

/** Majority vote over the neighbours' concepts (each neighbour votes for each of its concepts). */
export function knnVote(neighbors: ReferenceNeighbor[]): KnnVote {
  if (neighbors.length === 0) return { concept: null, share: 0 };
  // k is small (10 by default): two short arrays beat a Map per prediction. Concepts sit in the
  // order of their first vote, nearest neighbour first, so ties go to the concept of the nearer one.
  const concepts: string[] = [];
  const votes: number[] = [];
  for (const n of neighbors) {
    for (const c of n.concepts) {
      const at = concepts.indexOf(c);
      if (at === -1) {
        concepts.push(c);
        votes.push(1);
      } else votes[at]!++;
    }
  }
  let best = -1;
  for (let i = 0; i < concepts.length; i++) if (best === -1 || votes[i]! > votes[best]!) best = i;
  return best === -1 ? { concept: null, share: 0 } : { concept: concepts[best]!, share: votes[best]! / neighbors.length };
}
