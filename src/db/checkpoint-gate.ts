/**
 * Shared between the event loop and the checkpoint worker (`checkpointer.ts`): who uses the
 * database right now. The worker restarts the WAL only while it holds the gate, so no
 * transaction of the service is open then, none waits on a lock inside SQLite (which would
 * sleep on the event loop), and the restart's header write and sync happen on the worker.
 * The service waits for the gate asynchronously: the event loop keeps running meanwhile.
 */
export class CheckpointGate {
  readonly buffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  private readonly cells = new Int32Array(this.buffer);

  /** Waits while the worker holds or asks for the gate, then takes it for the service. */
  async enter(): Promise<void> {
    for (;;) {
      // The worker asks first and holds second: wait for it to be done with both.
      const waitingFor = Atomics.load(this.cells, WANT) === 1 ? WANT : STATE;
      if (waitingFor === STATE) {
        const was = Atomics.compareExchange(this.cells, STATE, FREE, SERVICE);
        if (was === FREE) return;
        // The service's own uses are one at a time (kysely's mutex), so only the worker can hold it.
        if (was === SERVICE) throw new Error('checkpoint gate entered twice by the service');
      }
      await woken(this.cells, waitingFor, waitingFor === WANT ? 1 : WORKER);
    }
  }

  leave(): void {
    Atomics.store(this.cells, STATE, FREE);
    Atomics.notify(this.cells, STATE);
  }

  /** The worker is gone: whatever it held is free. */
  reset(): void {
    Atomics.store(this.cells, STATE, FREE);
    Atomics.store(this.cells, WANT, 0);
    Atomics.notify(this.cells, WANT);
  }
}

/** Cell indexes and states; the worker's plain-JavaScript source uses the same numbers. */
export const GATE = { STATE: 0, WANT: 1, FREE: 0, SERVICE: 1, WORKER: 2 } as const;
const { STATE, WANT, FREE, SERVICE, WORKER } = GATE;
const RECHECK_MS = 1000;

// ES2024's Atomics.waitAsync (V8 has it since Node 16; the project's lib setting is ES2023).
type WaitAsync = (cells: Int32Array, index: number, value: number, timeoutMs: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/**
 * Until the worker notifies `cells[index]` (no longer `value`), or RECHECK_MS have passed.
 * Node does not count a pending `Atomics.waitAsync` as work, even with a timeout, and the
 * checkpoint worker is unreferenced once ready: a process whose only work was a query waiting
 * here ended with code 13 (a top-level await that never settled) whenever the worker held the
 * gate to restart the WAL, as the drift benchmark did while writing its 200 MB of training rows.
 * A referenced timer beside the wait keeps the process alive, and wakes the caller to look again.
 */
async function woken(cells: Int32Array, index: number, value: number): Promise<void> {
  const { async, value: notified } = waitAsync(cells, index, value, RECHECK_MS);
  if (!async) return;
  let timer: NodeJS.Timeout | undefined;
  const recheck = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, RECHECK_MS);
  });
  try {
    await Promise.race([notified, recheck]);
  } finally {
    clearTimeout(timer);
  }
}
