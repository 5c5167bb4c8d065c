import client from 'prom-client';

/** An in-process structure that requests can grow, and the cap that bounds it. */
export interface HeldStructure {
  name: string;
  cap: number;
  size(): number;
}

/**
 * Gauges of the entries such structures hold and of their caps, read at scrape time, so an
 * operator (and the tests and `npm run bench -- hostile`) can see that hostile input does not
 * grow them past the cap (docs/memory-bounds.md).
 */
export function registerHeldEntries(registry: client.Registry, structures: readonly HeldStructure[]): void {
  const registers = [registry];
  new client.Gauge({
    name: 'driftloop_held_entries',
    help: 'Entries held by an in-process structure that requests can grow (each bounded by driftloop_held_entries_cap)',
    labelNames: ['structure'] as const,
    registers,
    collect() {
      for (const s of structures) this.set({ structure: s.name }, s.size());
    },
  });
  new client.Gauge({
    name: 'driftloop_held_entries_cap',
    help: 'Most entries an in-process structure that requests can grow holds',
    labelNames: ['structure'] as const,
    registers,
    collect() {
      for (const s of structures) this.set({ structure: s.name }, s.cap);
    },
  });
}
