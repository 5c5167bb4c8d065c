import { Worker } from 'node:worker_threads';
import { workerEntryUrl } from '../../../src/util/worker-entry.js';
import { mulberry32 } from '../../../src/util/random.js';
import type { ClientTimes } from './claim-breakdown.js';

/** What the claimer thread (`claimer.worker.ts`) needs: times are epoch ms (`performance.timeOrigin` + `now()`). */
export interface ClaimerInput {
  url: string;
  /** Claims planned before the start + `warmupMs` are sent but not measured. */
  warmupMs: number;
  /** Each claim's planned send time after `start`, ms. */
  offsets: number[];
  /** Claims cycle over this many labelers (0: each claim a new labeler). */
  labelers: number;
  limit: number;
  /** Label each claimed item right after its claim. */
  label: boolean;
  concepts: string[];
}

export interface ClaimerLoad {
  claimMs: number[];
  labelMs: number[];
  /** Each measured claim's planned, sent and answered times, by its x-bench-claim number. */
  claimTimes: ({ claim: string } & ClientTimes)[];
  empty: number;
  errors: string[];
}

/** Poisson arrivals at `rate` a second for `seconds`: each claim's planned time after the start, ms. */
export function poissonOffsets(rate: number, seconds: number, seed: number): number[] {
  const rand = mulberry32(seed);
  const offsets: number[] = [];
  for (let t = (-Math.log(1 - rand()) / rate) * 1000; t < seconds * 1000; t += (-Math.log(1 - rand()) / rate) * 1000) offsets.push(t);
  return offsets;
}

/** The labelers' thread, loaded and waiting: `run(start)` sends its claims from `start` (epoch ms) on. */
export interface Claimer {
  run(start: number): Promise<ClaimerLoad>;
}

/** Starts the labelers' thread; resolves once it is ready to send. */
export async function startClaimer(input: ClaimerInput): Promise<Claimer> {
  const worker = new Worker(workerEntryUrl('claimer.worker', import.meta.url), { workerData: input });
  const failed = new Promise<never>((_, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`claimer thread exited with ${code}`)));
  });
  const next = <T>() => Promise.race([new Promise<T>((resolve) => worker.once('message', resolve)), failed]);
  await next<'ready'>();
  return {
    run: async (start) => {
      const answer = next<ClaimerLoad>();
      worker.postMessage(start);
      const load = await answer;
      await worker.terminate();
      return load;
    },
  };
}
