import type { DemoPrediction } from '../data/demo-dataset.js';
import type { ApiClient } from './api-client.js';

/** Accuracy on a labeled set: overall, and on the concepts the original model knew. */
export interface Accuracy {
  all: number;
  known: number;
  n: number;
}

function argmax(scores: Record<string, number>): string {
  let best = '';
  let top = -Infinity;
  for (const [c, s] of Object.entries(scores)) if (s > top) [best, top] = [c, s];
  return best;
}

function score(records: DemoPrediction[], predicted: string[], known: Set<string>): Accuracy {
  let right = 0;
  let knownRight = 0;
  let knownN = 0;
  records.forEach((r, i) => {
    const ok = predicted[i] === r.concept;
    if (ok) right++;
    if (known.has(r.concept)) {
      knownN++;
      if (ok) knownRight++;
    }
  });
  return { all: right / records.length, known: knownN ? knownRight / knownN : NaN, n: records.length };
}

/** Accuracy of the production model itself: the scores it sent with each record. */
export function productionModelAccuracy(records: DemoPrediction[], known: Set<string>): Accuracy {
  return score(records, records.map((r) => argmax(r.scores)), known);
}

/** Accuracy of the current champion, through `POST …/predict`. */
export async function championAccuracy(api: ApiClient, model: string, records: DemoPrediction[], known: Set<string>): Promise<Accuracy & { version: string; predicted: string[] }> {
  const predicted: string[] = [];
  let version = '';
  for (let i = 0; i < records.length; i += 500) {
    const chunk = records.slice(i, i + 500);
    const res = await api.post<{ version: string | number; scores: Record<string, number>[] }>(`/v1/models/${model}/predict`, {
      embeddings: chunk.map((r) => r.embedding),
    });
    version = String(res.version);
    predicted.push(...res.scores.map(argmax));
  }
  return { ...score(records, predicted, known), version, predicted };
}

export const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '—');
