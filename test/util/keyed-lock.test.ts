import { describe, expect, it } from 'vitest';
import { KeyedLock } from '../../src/util/keyed-lock.js';

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('KeyedLock', () => {
  it('when tasks share a key, then they run one at a time in arrival order; another key does not wait', async () => {
    const lock = new KeyedLock<string>();
    const log: string[] = [];
    const first = gate();
    const a1 = lock.run('a', async () => {
      log.push('a1 start');
      await first.promise;
      log.push('a1 end');
    });
    const a2 = lock.run('a', async () => void log.push('a2'));
    await lock.run('b', async () => void log.push('b'));
    expect(log).toEqual(['a1 start', 'b']);
    first.open();
    await Promise.all([a1, a2]);
    expect(log).toEqual(['a1 start', 'b', 'a1 end', 'a2']);
  });

  it('when a task fails, then its caller sees the error and the next task of the key still runs', async () => {
    const lock = new KeyedLock<number>();
    const failed = lock.run(1, async () => {
      throw new Error('boom');
    });
    const next = lock.run(1, async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
    await lock.idle();
  });

  it('when a task in turn releases its key early, then the next task starts before it settles, and idle waits for both', async () => {
    const lock = new KeyedLock<string>();
    const log: string[] = [];
    const rest = gate();
    const first = lock.inTurn('a', Promise.resolve(1), async (_value, release) => {
      log.push('a1 ordered part');
      release();
      await rest.promise;
      log.push('a1 rest');
    });
    const second = lock.inTurn('a', Promise.resolve(2), async () => void log.push('a2'));
    await second;
    expect(log).toEqual(['a1 ordered part', 'a2']);
    let idle = false;
    const waiting = lock.idle().then(() => (idle = true));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    rest.open();
    await Promise.all([first, waiting]);
    expect(log).toEqual(['a1 ordered part', 'a2', 'a1 rest']);
  });

  it('when a task in turn does not release, then the next waits until it settles', async () => {
    const lock = new KeyedLock<string>();
    const log: string[] = [];
    const rest = gate();
    const first = lock.inTurn('a', Promise.resolve(1), async () => {
      await rest.promise;
      log.push('a1');
    });
    const second = lock.inTurn('a', Promise.resolve(2), async () => void log.push('a2'));
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    expect(log).toEqual([]);
    rest.open();
    await Promise.all([first, second]);
    expect(log).toEqual(['a1', 'a2']);
  });
});
