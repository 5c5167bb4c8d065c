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
});
