import { Worker } from 'node:worker_threads';
import { workerEntryUrl } from '../src/util/worker-entry.js';
const t = performance.now();
const w = new Worker(workerEntryUrl('clustering.worker', new URL('../src/regions/clustering-thread.ts', import.meta.url).href), { workerData: {} });
w.on('online', () => console.log('online', (performance.now() - t).toFixed(0)));
w.on('message', (m) => { console.log('reply', (performance.now() - t).toFixed(0), JSON.stringify(m).slice(0, 100)); w.terminate(); });
w.on('error', (e) => console.log('err', e));
w.postMessage({ id: 1, task: null });
