/**
 * Preloaded into the service by `npm run bench -- queue --trace` (node `--import`), never by the
 * service itself. Appends JSON lines to `DRIFTLOOP_BENCH_TRACE` (epoch ms): for each request with
 * an `x-bench-claim` header, when node emitted the request and when the answer was written; for
 * each `queue_claim` call (a claim's one transaction on PostgreSQL), the labeler it names and when
 * the query was made and its answer handled. The benchmark joins them with its own send times
 * (labeler-N is claim N) to tell where the slowest claims spent their time.
 */
import fs from 'node:fs';
import http from 'node:http';
import pg from 'pg';

const file = process.env.DRIFTLOOP_BENCH_TRACE;
const epoch = () => performance.timeOrigin + performance.now();
const write = (entry: object) => fs.appendFileSync(file!, `${JSON.stringify(entry)}\n`);

if (file) {
  const emit = http.Server.prototype.emit as (this: http.Server, event: string, ...rest: unknown[]) => boolean;
  http.Server.prototype.emit = function (this: http.Server, event: string, ...rest: unknown[]) {
    const req = rest[0] as http.IncomingMessage | undefined;
    const claim = event === 'request' ? req?.headers['x-bench-claim'] : undefined;
    if (typeof claim === 'string') {
      const arrived = epoch();
      (rest[1] as http.ServerResponse).once('finish', () => write({ claim, arrived, finished: epoch() }));
    }
    return emit.call(this, event, ...rest);
  } as typeof http.Server.prototype.emit;

  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const answer = query.apply(this, args);
    const config = args[0] as string | { text?: string; values?: unknown[] };
    const text = typeof config === 'string' ? config : config?.text;
    const values = ((typeof config === 'string' ? args[1] : config?.values) ?? []) as unknown[];
    // In a trip the claim's parameters are written into its text, the trip's first statement.
    const first = Array.isArray(values[0]) ? String(values[0][0]) : '';
    if ((text?.includes('queue_claim(') || first.includes('queue_claim(')) && answer instanceof Promise) {
      const labeler = values.find((v) => typeof v === 'string' && v.startsWith('labeler-')) ?? /'(labeler-\d+)'/.exec(first)?.[1];
      const start = epoch();
      const done = () => write({ labeler, start, end: epoch() });
      answer.then(done, done);
    }
    return answer;
  } as typeof pg.Client.prototype.query;
}
