import fs from 'node:fs';
import os from 'node:os';

/**
 * Lowers the CPU priority of the calling thread alone to nice `niceness` (1–19). On Linux the
 * nice value belongs to each thread, so a worker thread can step back while the event-loop
 * thread keeps its priority: with as many busy threads as cores, the scheduler then runs the
 * event loop (claims, ingestion) first and background statistics in the time left over, and
 * when the event loop idles they get whole cores as before. Never raises a priority. Returns
 * false where nothing changed (niceness 0, not Linux, or already at least as nice).
 */
export function lowerThreadPriority(niceness: number): boolean {
  if (!(niceness > 0)) return false;
  try {
    // "<pid>/task/<tid>": the kernel's id of this thread.
    const link = fs.readlinkSync('/proc/thread-self');
    const tid = Number(link.slice(link.lastIndexOf('/') + 1));
    const target = Math.min(19, Math.round(niceness));
    if (!Number.isInteger(tid) || tid <= 0 || os.getPriority(tid) >= target) return false;
    os.setPriority(tid, target);
    return true;
  } catch {
    return false;
  }
}

/**
 * Names the calling thread in /proc (at most 15 bytes; `top -H` and `ps -L` show it), so the
 * CPU of a search, statistics or checkpointing thread can be told from V8's and libuv's threads,
 * which Node leaves named "node". Does nothing where /proc/thread-self is missing.
 */
export function nameThread(name: string | undefined): void {
  if (!name) return;
  try {
    fs.writeFileSync('/proc/thread-self/comm', Buffer.from(name).subarray(0, 15));
  } catch {
    // not Linux, or /proc not mounted: only the name is lost
  }
}

/** What a thread's creator passes in `workerData` about the thread itself. */
export interface ThreadSetup {
  niceness?: number;
  threadName?: string;
}

/** Applies `setup` (from `workerData`) to the calling thread: its nice value, then its name. */
export function setUpThread(setup: ThreadSetup | null | undefined): void {
  lowerThreadPriority(setup?.niceness ?? 0);
  nameThread(setup?.threadName);
}
