/**
 * What the labels benchmark's queue holds once the demo's production traffic is in: the same
 * service process, model settings and stream as `npm run bench -- labels` (loop-run.ts), then
 * the model's queue items read from its SQLite file. The offline selection simulator replays
 * this pool, so its policies choose among exactly the items a claim could hand out.
 * `npx tsx scripts/bench/labels/queue-pool.ts [--port 56420] [--out /tmp/labels-queue-pool.json]`
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Command } from 'commander';
import { sqliteFile } from '../../../src/db/sqlite.js';
import { loadDemoDataset } from '../../demo/data/demo-dataset.js';
import { ApiClient } from '../../demo/run/api-client.js';
import { DEMO_SPLIT_SECRET, waitForJob } from '../../demo/run/demo.runner.js';
import { startServiceProcess } from '../../lib/service-process.js';
import { prepareModel, streamProduction } from './loop-run.js';

/** One queue item as the selection policies see it. */
export interface PoolItem {
  predictionId: string;
  priority: number;
  /** Near-duplicates the item stands for (itself included). */
  weight: number;
  ood: boolean;
  reasons: string[];
}

/** The pool's model: the offline loop splits labeled items under its key, as the service did. */
export const POOL_MODEL = 'bench-pool';

export const DEFAULT_POOL_FILE = path.join(os.tmpdir(), 'labels-queue-pool.json');

if (import.meta.url === `file://${process.argv[1]}`) {
  const opts = new Command().option('--port <n>', 'service port', '56420').option('--out <file>', 'pool JSON', DEFAULT_POOL_FILE).parse().opts<{ port: string; out: string }>();
  const root = path.resolve(import.meta.dirname, '../../..');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-queue-pool-'));
  const service = await startServiceProcess({ PORT: opts.port, HOST: '127.0.0.1', DRIFTLOOP_DATA_DIR: dataDir, DRIFTLOOP_SPLIT_SECRET: DEMO_SPLIT_SECRET });
  try {
    const api = new ApiClient(service.url);
    const data = await loadDemoDataset(path.join(root, 'data/demo'));
    const model = POOL_MODEL;
    await prepareModel(api, model, data, { drift: { windowSize: 300 }, retrain: { auto: false, minConceptLabels: 20, minConceptLabelers: 1, cooldownMinutes: 0 }, queue: { leaseSeconds: 3600 } });
    await waitForJob(api, (await api.post(`/v1/models/${model}/retrain`, {})).jobId);
    await streamProduction(api, model, [...data.prodClean, ...data.prodUgc]);
    const db = new SQLite(sqliteFile(dataDir), { readonly: true });
    const rows = db
      .prepare(
        `select i.prediction_id, i.priority, i.weight, i.reasons_json, p.is_ood from queue_items i join predictions p on p.seq = i.prediction_seq
         join models m on m.id = i.model_id where m.name = ? and i.status = 'pending' order by i.priority desc, i.id`,
      )
      .all(model) as { prediction_id: string; priority: number; weight: number; reasons_json: string; is_ood: number }[];
    db.close();
    const pool: PoolItem[] = rows.map((r) => ({ predictionId: r.prediction_id, priority: r.priority, weight: r.weight, ood: r.is_ood === 1, reasons: (JSON.parse(r.reasons_json) as { kind?: string; reason?: string }[]).map((x) => x.kind ?? x.reason ?? JSON.stringify(x)) }));
    fs.writeFileSync(opts.out, JSON.stringify(pool));
    const ugc = new Set(data.prodUgc.map((r) => r.id));
    const phone = pool.filter((p) => ugc.has(p.predictionId)).length;
    console.log(`queue pool: ${pool.length} pending items (${phone} phone-like, ${pool.length - phone} clean) of ${data.prodClean.length + data.prodUgc.length} predictions; ${pool.filter((p) => p.ood).length} OOD; near-duplicates folded in: ${pool.reduce((a, p) => a + p.weight - 1, 0)} → ${opts.out}`);
  } finally {
    service.child.kill('SIGTERM');
    await service.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
