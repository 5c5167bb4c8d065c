// A worker thread for WorkerPool's tests: doubles a number, or throws when asked to.
import { serveTasks } from '../../src/util/worker-pool.js';

serveTasks((n: number) => {
  if (n < 0) throw new Error(`refused ${n}`);
  return n * 2;
});
