import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { workerEntryUrl } from '../../src/util/worker-entry.js';
import { WorkerPool, WorkerTaskError } from '../../src/util/worker-pool.js';

const entry = workerEntryUrl('echo.worker', new URL('../support/echo.worker.ts', import.meta.url).href);
const pools: WorkerPool<number, number>[] = [];
const pool = (size: number) => {
  const p = new WorkerPool<number, number>(entry, size, 'echo', pino({ level: 'silent' }));
  pools.push(p);
  return p;
};

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('WorkerPool', () => {
  it('when nothing has run, then no thread is started; the first task starts one', async () => {
    const p = pool(2);
    expect(p.running).toBe(0);
    expect(await p.run(21)).toBe(42);
    expect(p.running).toBe(1);
  });

  it('when warmed, then every thread starts before any task, once, and tasks run on them', async () => {
    const p = pool(2);
    p.warm();
    expect(p.running).toBe(2);
    p.warm();
    expect(p.running).toBe(2);
    expect(await Promise.all([p.run(1), p.run(2), p.run(3)])).toEqual([2, 4, 6]);
    expect(p.running).toBe(2);
  });

  it('when a task throws, then its promise rejects with the message and the thread serves the next task', async () => {
    const p = pool(1);
    await expect(p.run(-1)).rejects.toThrow(new WorkerTaskError('refused -1'));
    expect(await p.run(5)).toBe(10);
  });

  it('when closed, then warming starts nothing and tasks are refused', async () => {
    const p = pool(2);
    p.warm();
    await p.close();
    expect(p.running).toBe(0);
    p.warm();
    expect(p.running).toBe(0);
    await expect(p.run(1)).rejects.toBeInstanceOf(WorkerTaskError);
  });
});
