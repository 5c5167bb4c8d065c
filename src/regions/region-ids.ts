import { squaredDistance } from './silhouette.js';

/**
 * Carries region ids over from the previous clustering: a new centre keeps the id of a previous
 * centre when each is the other's nearest (mutual nearest neighbours, parameter-free); the
 * others get fresh ids above every id used so far. So a labeler working on region 3 keeps
 * working on the same part of the space while the window moves on.
 */
export function carryIds(previous: { id: number; centroid: ArrayLike<number> }[], next: ArrayLike<number>[], lastId: number): number[] {
  const nearest = (from: ArrayLike<number>, to: ArrayLike<number>[]) => {
    let best = -1;
    let bestD = Infinity;
    to.forEach((c, i) => {
      const d = squaredDistance(from, c);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    });
    return best;
  };
  const prevCentroids = previous.map((p) => p.centroid);
  let fresh = lastId;
  return next.map((c, i) => {
    const p = nearest(c, prevCentroids);
    if (p >= 0 && nearest(prevCentroids[p]!, next) === i) return previous[p]!.id;
    return ++fresh;
  });
}
