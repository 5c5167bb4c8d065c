/**
 * The queue benchmark's labelers (`claimer.ts`), on a thread of their own: claims sent at their
 * planned times, answers read as they come. On the benchmark's main thread they would wait behind
 * the ingesters' bodies and answers, which production's labelers (browsers elsewhere) never do.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { postJson } from '../../lib/bench-util.js';
import type { ClaimerInput, ClaimerLoad } from './claimer.js';

const input = workerData as ClaimerInput;
const epoch = () => performance.timeOrigin + performance.now();

async function run(start: number): Promise<ClaimerLoad> {
  const load: ClaimerLoad = { claimMs: [], labelMs: [], claimTimes: [], empty: 0, errors: [] };
  const { url, warmupMs, offsets, labelers, limit, label, concepts } = input;
  const claims: Promise<void>[] = [];
  const claim = async (n: number, planned: number) => {
    const labeler = `labeler-${labelers > 0 ? n % labelers : n}`;
    try {
      const sent = epoch();
      // The header names the claim in the service's trace (--trace); without it, it is ignored.
      const res = await postJson(`${url}/v1/models/bench/queue/claim`, { labeler, limit }, undefined, { 'x-bench-claim': String(n) });
      if (res.status !== 200) throw new Error(`claim: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      const done = epoch();
      const measured = planned - start >= warmupMs;
      if (measured) {
        load.claimMs.push(done - planned);
        load.claimTimes.push({ claim: String(n), planned, sent, done });
      }
      const [item] = res.body.items as { itemId: number }[];
      if (!item) {
        load.empty++;
        return;
      }
      if (!label) return;
      const t = epoch();
      const labeled = await postJson(`${url}/v1/models/bench/labels`, { labels: [{ itemId: item.itemId, labeler, concepts: [concepts[n % concepts.length]] }] });
      if (labeled.status !== 200) throw new Error(`label: ${labeled.status} ${JSON.stringify(labeled.body).slice(0, 200)}`);
      if (measured) load.labelMs.push(epoch() - t);
    } catch (err) {
      load.errors.push(String(err));
    }
  };
  // Open loop: claims go out on their own schedule, whether or not earlier ones finished.
  for (const [n, offset] of offsets.entries()) {
    const planned = start + offset;
    const wait = planned - epoch();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    claims.push(claim(n, planned));
  }
  await Promise.all(claims);
  return load;
}

// Warm the fetch client up with one request, then wait for the start time.
await fetch(`${input.url}/healthz`).then((res) => res.arrayBuffer());
parentPort!.once('message', (start: number) => void run(start).then((load) => parentPort!.postMessage(load)));
parentPort!.postMessage('ready');
