import fs from 'node:fs';
import pg from 'pg';
import { perThread } from '../../lib/bench-util.js';

/**
 * CPU time used and time spent runnable but waiting for a CPU, in ms, from the scheduler's
 * per-task counters (`/proc/<pid>/schedstat`: ns on a CPU, ns waiting on a run queue; Linux
 * only). On a shared two-core machine the wait is what load adds to a latency, apart from the
 * work itself.
 */
export interface CpuWait {
  cpuMs: number;
  waitMs: number;
}

function schedstat(file: string): CpuWait | undefined {
  try {
    const [cpu, wait] = fs.readFileSync(file, 'utf8').trim().split(' ').map(Number);
    return { cpuMs: cpu! / 1e6, waitMs: wait! / 1e6 };
  } catch {
    return undefined; // gone meanwhile, or not Linux
  }
}

/** Each thread of a process by thread id (the main thread's id is the process id). */
export function threadCpuWait(pid: number): Map<number, CpuWait> {
  return perThread(pid, (dir) => {
    const s = schedstat(`${dir}/schedstat`);
    if (!s) throw new Error('gone');
    return s;
  });
}

/** The PostgreSQL backends serving `url`'s database (the server must run on this machine), each by pid. */
export async function backendCpuWait(url: string): Promise<Map<number, CpuWait>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
    const out = new Map<number, CpuWait>();
    for (const { pid } of rows) {
      const s = schedstat(`/proc/${pid}/schedstat`);
      if (s) out.set(pid, s);
    }
    return out;
  } finally {
    await client.end();
  }
}

/** What the tasks used and waited between two readings; a task that started meanwhile counts from zero. */
export function cpuWaitBetween(before: Map<number, CpuWait>, after: Map<number, CpuWait>, only?: (id: number) => boolean): CpuWait {
  let cpuMs = 0;
  let waitMs = 0;
  for (const [id, a] of after) {
    if (only && !only(id)) continue;
    const b = before.get(id) ?? { cpuMs: 0, waitMs: 0 };
    cpuMs += a.cpuMs - b.cpuMs;
    waitMs += a.waitMs - b.waitMs;
  }
  return { cpuMs, waitMs };
}
