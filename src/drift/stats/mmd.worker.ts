/** A thread of the MMD pool: runs mmd-tasks on shared memory. */
import { serveTasks } from '../../util/worker-pool.js';
import { runMmdTask, type MmdTask, type MmdTaskResult } from './mmd-tasks.js';

// Row sums and flags are the thread's own arrays: move them instead of copying.
serveTasks<MmdTask, MmdTaskResult>(runMmdTask, (result) =>
  ArrayBuffer.isView(result) && result.buffer instanceof ArrayBuffer ? [result.buffer] : []);
