// Runs in a worker thread so the load generator never shares an event loop with the server it measures.
import { parentPort, workerData } from 'node:worker_threads';
import { gaussian, mulberry32 } from '../../../src/util/random.js';

export interface LoadOptions {
  url: string;
  model: string;
  concepts: string[];
  /** Cluster centres of the training data, one per concept. */
  centers: number[][];
  spread: number;
  seconds: number;
  warmupSeconds: number;
  claimers: number;
  ingesters: number;
  batch: number;
  /** Label each claimed item before claiming again (one labeler per claimer); otherwise every claim is a new labeler's first. */
  label: boolean;
}

export interface LoadResult {
  claimMs: number[];
  labelMs: number[];
  ingestMs: number[];
  ingested: number;
  queued: number;
  emptyClaims: number;
  errors: string[];
}

const o = workerData as LoadOptions;
const result: LoadResult = { claimMs: [], labelMs: [], ingestMs: [], ingested: 0, queued: 0, emptyClaims: 0, errors: [] };
const started = performance.now();
const measuring = () => performance.now() - started >= o.warmupSeconds * 1000;
const running = () => performance.now() - started < (o.warmupSeconds + o.seconds) * 1000;

async function post(path: string, body: unknown): Promise<{ ms: number; json: any }> {
  const t = performance.now();
  const res = await fetch(o.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json: any = await res.json();
  const ms = performance.now() - t;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return { ms, json };
}

async function claimer(n: number): Promise<void> {
  let k = 0;
  while (running()) {
    const labeler = o.label ? `bench-labeler-${n}` : `bench-labeler-${n}-${k++}`;
    try {
      const claim = await post(`/v1/models/${o.model}/queue/claim`, { labeler, limit: 1 });
      if (measuring()) result.claimMs.push(claim.ms);
      const [item] = claim.json.items;
      if (!item) {
        result.emptyClaims++;
        continue;
      }
      if (!o.label) continue;
      const label = await post(`/v1/models/${o.model}/labels`, { labels: [{ itemId: item.itemId, labeler, concepts: [o.concepts[n % o.concepts.length]] }] });
      if (measuring()) result.labelMs.push(label.ms);
    } catch (err) {
      result.errors.push(String(err));
    }
  }
}

async function ingester(n: number): Promise<void> {
  const rand = mulberry32(1000 + n);
  const normal = gaussian(rand);
  let next = 0;
  while (running()) {
    const predictions = Array.from({ length: o.batch }, () => {
      const c = Math.floor(rand() * o.centers.length);
      // A quarter are far from the training data, a third of the rest unsure: those go to the queue.
      const far = next % 4 === 0;
      const embedding = o.centers[c]!.map((x) => (far ? 3 * normal() : x + o.spread * normal()));
      const top = next % 3 === 0 ? 0.4 : 0.9;
      const scores = Object.fromEntries(o.concepts.map((id, i) => [id, i === c ? top : (1 - top) / (o.concepts.length - 1)]));
      return { id: `live-${n}-${next++}`, embedding, scores };
    });
    try {
      const res = await post(`/v1/models/${o.model}/predictions`, { predictions });
      if (measuring()) {
        result.ingestMs.push(res.ms);
        result.ingested += res.json.accepted;
        result.queued += res.json.results.filter((r: { queued: boolean }) => r.queued).length;
      }
    } catch (err) {
      result.errors.push(String(err));
    }
  }
}

await Promise.all([...Array.from({ length: o.claimers }, (_, i) => claimer(i)), ...Array.from({ length: o.ingesters }, (_, i) => ingester(i))]);
parentPort!.postMessage(result);
