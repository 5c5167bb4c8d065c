/** A neighbour as a prediction row stores it. */
export interface StoredNeighbor {
  seq: number;
  distance: number;
}

/**
 * The `neighbors_json` column: `[[seq, distance], …]`, the text `JSON.stringify` gives for it
 * (a number is written as `String` writes it, and a distance that is not finite as `null`),
 * built without the array per neighbour that stringify needed: 0.17–0.18 against 0.07–0.09 ms
 * per batch of 100 predictions × 10 neighbours in isolation, each text then read as UTF-8 as
 * the SQLite binding reads it.
 */
export function neighborsJson(neighbors: readonly StoredNeighbor[]): string {
  let text = '[';
  for (let i = 0; i < neighbors.length; i++) {
    const { seq, distance } = neighbors[i]!;
    text += `${i === 0 ? '[' : ',['}${jsonNumber(seq)},${jsonNumber(distance)}]`;
  }
  return `${text}]`;
}

function jsonNumber(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}
