import fs from 'node:fs';
import { percentile } from '../../lib/bench-util.js';

/** A claim as the benchmark saw it (epoch ms). */
export interface ClientTimes {
  planned: number;
  sent: number;
  done: number;
}

interface Arrival {
  arrived: number;
  finished: number;
}

/**
 * Where claims spent their time, from the benchmark's times and the service's trace
 * (`claim-trace.ts`): the median claims and the slowest 1%, each stage's mean. "to request" is
 * from the send to node's request event: the service's event loop busy with other work (and the
 * loopback); "before the claim call" the route up to `queue_claim` (the body, the key check and
 * its read when not fresh, the model); "claim call" from the query to its answer handled on the
 * event loop (on PostgreSQL with the details read in the same trip since migration 0025); "details"
 * the rest of the route: the details' reads where they are trips of their own, the answer. On
 * SQLite the three are one stage, "in the service".
 */
export function claimBreakdown(traceFile: string, client: Map<string, ClientTimes>): string[] {
  const arrivals = new Map<string, Arrival>();
  const calls = new Map<string, { start: number; end: number }>();
  for (const line of fs.readFileSync(traceFile, 'utf8').split('\n')) {
    if (!line) continue;
    const t = JSON.parse(line) as { claim?: string; arrived: number; finished: number; labeler?: string; start: number; end: number };
    if (t.claim !== undefined) arrivals.set(t.claim, t);
    else if (t.labeler) calls.set(t.labeler.slice('labeler-'.length), t);
  }
  // SQLite's claim is no query call of its own (one connection, synchronous statements): its
  // time in the service is one stage there, from the request event to the answer written.
  const split = calls.size > 0;
  const rows = [...client].flatMap(([claim, c]) => {
    const s = arrivals.get(claim);
    const call = calls.get(claim) ?? (split ? undefined : { start: s?.arrived ?? 0, end: s?.finished ?? 0 });
    if (!s || !call) return [];
    return [{ total: c.done - c.planned, late: c.sent - c.planned, toRequest: s.arrived - c.sent, beforeCall: call.start - s.arrived, call: call.end - call.start, details: s.finished - call.end, toClient: c.done - s.finished }];
  });
  if (rows.length === 0) return ['claim trace: no traced claims'];
  const p99 = percentile(rows.map((r) => r.total), 99);
  const p50 = percentile(rows.map((r) => r.total), 50);
  const describe = (name: string, set: typeof rows) => {
    const mean = (f: (r: (typeof rows)[number]) => number) => (set.reduce((a, r) => a + f(r), 0) / set.length).toFixed(2);
    const inService = split ? `before the claim call ${mean((r) => r.beforeCall)} + claim call ${mean((r) => r.call)} + details ${mean((r) => r.details)}` : `in the service ${mean((r) => r.call)}`;
    return `${name} (${set.length} claims, mean ms): total ${mean((r) => r.total)} = client late ${mean((r) => r.late)} + to request ${mean((r) => r.toRequest)} + ${inService} + to the client ${mean((r) => r.toClient)}`;
  };
  const sorted = [...rows].sort((a, b) => a.total - b.total);
  const middle = sorted.slice(Math.floor(sorted.length * 0.45), Math.ceil(sorted.length * 0.55));
  return [
    `claim trace (${rows.length} of ${client.size} measured claims traced):`,
    `  ${describe(`claims p45–p55 (about ${p50.toFixed(1)} ms)`, middle)}`,
    `  ${describe(`slowest 1% (≥ p99 ${p99.toFixed(1)} ms)`, rows.filter((r) => r.total >= p99))}`,
  ];
}
