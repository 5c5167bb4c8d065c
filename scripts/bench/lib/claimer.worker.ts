/**
 * The queue benchmark's labelers (`claimer.ts`), on a thread of their own: claims sent at their
 * planned times, answers read as they come. On the benchmark's main thread they would wait behind
 * the ingesters' bodies and answers, which production's labelers (browsers elsewhere) never do.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { postKeptAlive } from './kept-alive-post.js';
import type { ClaimerInput, ClaimerLoad } from './claimer.js';

const input = workerData as ClaimerInput;
const epoch = () => performance.timeOrigin + performance.now();

async function run(start: number): Promise<ClaimerLoad> {
  const load: ClaimerLoad = { claimMs: [], labelMs: [], claimTimes: [], empty: 0, errors: [] };
  const { url, warmupMs, offsets, labelers, limit, label, concepts } = input;
  const claimUrl = new URL(`${url}/v1/models/bench/queue/claim`);
  const labelsUrl = new URL(`${url}/v1/models/bench/labels`);
  const claims: Promise<void>[] = [];
  const claim = async (n: number, planned: number) => {
    const labeler = `labeler-${labelers > 0 ? n % labelers : n}`;
    try {
      const body = Buffer.from(JSON.stringify({ labeler, limit }));
      const sent = epoch();
      // The header names the claim in the service's trace (--trace); without it, it is ignored.
      const answer = await postKeptAlive(claimUrl, body, { 'x-bench-claim': String(n) });
      const done = epoch();
      if (answer.status !== 200) throw new Error(`claim: ${answer.status} ${answer.text.slice(0, 200)}`);
      const res = { body: JSON.parse(answer.text) as { items: { itemId: number }[] } };
      const measured = planned - start >= warmupMs;
      if (measured) {
        load.claimMs.push(done - planned);
        load.claimTimes.push({ claim: String(n), planned, sent, done });
      }
      const [item] = res.body.items;
      if (!item) {
        load.empty++;
        return;
      }
      if (!label) return;
      const t = epoch();
      const labeled = await postKeptAlive(labelsUrl, Buffer.from(JSON.stringify({ labels: [{ itemId: item.itemId, labeler, concepts: [concepts[n % concepts.length]] }] })));
      if (labeled.status !== 200) throw new Error(`label: ${labeled.status} ${labeled.text.slice(0, 200)}`);
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

// Warm the client up (a kept-alive socket, the JIT) with a few claims no run counts, then wait for the start time.
for (let i = 0; i < 3; i++) await postKeptAlive(new URL(`${input.url}/v1/models/bench/queue/claim`), Buffer.from(JSON.stringify({ labeler: 'labeler-warm-up', limit: 1 })));
parentPort!.once('message', (start: number) => void run(start).then((load) => parentPort!.postMessage(load)));
parentPort!.postMessage('ready');
