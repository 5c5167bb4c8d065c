import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { ClusteredData } from '../support/clustered-data.js';
import { startServiceProcess, type ServiceProcess } from '../../scripts/lib/service-process.js';
import { databaseEnv } from '../support/database.js';
import { tempDataDir } from '../support/server.js';

const DIM = 24;
const concepts = ['c0', 'c1', 'c2', 'c3'];
const data = new ClusteredData({ dim: DIM, clusters: 4, spread: 0.35, seed: 3 });

const post = (svc: ServiceProcess, p: string, body: unknown) => svc.request('POST', p, body);

function prediction(id: string, i: number) {
  const c = i % 4;
  return { id, embedding: i % 10 === 0 ? data.outlier() : data.point(c), scores: data.scores(concepts, c, 0.5 + (i % 5) / 10) };
}

function example(i: number) {
  return { id: `ex-${i}`, embedding: data.point(i % 4), concepts: [concepts[i % 4]!] };
}

/** Posts batches back to back (two in flight) until told to stop; records what was acknowledged. */
function ingestLoop(svc: ServiceProcess, path_: string, make: (i: number) => unknown, key: 'predictions' | 'examples', batch: number) {
  const acked: unknown[][] = [];
  const answers: any[] = [];
  let next = 0;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const start = next;
      next += batch;
      const records = Array.from({ length: batch }, (_, j) => make(start + j));
      try {
        const res = await post(svc, path_, { [key]: records });
        if (res.status === 200) {
          acked.push(records);
          answers.push(res.body);
        }
      } catch {
        return; // the server died mid-request: this batch was never acknowledged
      }
    }
  };
  const done = Promise.all([worker(), worker()]);
  return { acked, answers, halt: () => ((stop = true), done) };
}

async function waitFor(cond: () => boolean) {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
}

describe('durability under SIGKILL', () => {
  it('when the server is killed during ingestion, then every acknowledged write survives with identical scores and the index matches the database', async () => {
    const dataDir = tempDataDir();
    const env = { DRIFTLOOP_DATA_DIR: dataDir, ...(await databaseEnv(dataDir)) };

    // 1. Examples, killed mid-stream: the reference index must be caught up from the database at restart.
    let svc = await startServiceProcess(env);
    expect((await fetch(`${svc.url}/v1/models/pint`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'multiclass', embeddingDim: DIM, concepts: concepts.map((id) => ({ id })) }) })).status).toBe(201);
    const exLoop = ingestLoop(svc, '/v1/models/pint/examples', example, 'examples', 100);
    await waitFor(() => exLoop.acked.length >= 15);
    svc.child.kill('SIGKILL');
    await exLoop.halt();
    await svc.exited;

    svc = await startServiceProcess(env);
    let model = (await (await fetch(`${svc.url}/v1/models/pint`)).json()) as any;
    const ackedExamples = exLoop.acked.flat().length;
    const storedExamples = model.counts.examples.train + model.counts.examples.eval;
    expect(storedExamples).toBeGreaterThanOrEqual(ackedExamples);
    const again = await post(svc, '/v1/models/pint/examples', { examples: exLoop.acked.flat() });
    expect(again.body).toMatchObject({ inserted: 0, duplicates: ackedExamples });
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toContain(`driftloop_index_points{model="pint",split="train"} ${model.counts.examples.train}`);
    expect(metrics).toContain(`driftloop_index_points{model="pint",split="eval"} ${model.counts.examples.eval}`);

    // 2. SIGTERM drains, saves the indexes and exits 0.
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toEqual({ code: 0, signal: null });
    const indexDir = path.join(dataDir, 'indexes', 'model-1');
    expect(fs.existsSync(path.join(indexDir, 'train.hnsw'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(indexDir, 'state.json'), 'utf8'))).toMatchObject({ trainCount: model.counts.examples.train, evalCount: model.counts.examples.eval });

    // 3. Predictions, killed mid-stream.
    svc = await startServiceProcess(env);
    expect(svc.logs.some((l) => l.includes('reference index ready') && l.includes('"loaded":true'))).toBe(true);
    const probes = Array.from({ length: 40 }, (_, i) => prediction(`probe-${i}`, i));
    const before = await post(svc, '/v1/models/pint/predictions', { predictions: probes });
    expect(before.status).toBe(200);
    const loop = ingestLoop(svc, '/v1/models/pint/predictions', (i) => prediction(`p-${i}`, i), 'predictions', 50);
    await waitFor(() => loop.acked.length >= 20);
    svc.child.kill('SIGKILL');
    await loop.halt();
    expect((await svc.exited).signal).toBe('SIGKILL');

    svc = await startServiceProcess(env);
    model = (await (await fetch(`${svc.url}/v1/models/pint`)).json()) as any;
    const ackedPredictions = loop.acked.flat().length;
    expect(model.counts.predictions).toBeGreaterThanOrEqual(ackedPredictions + probes.length);
    // Every acknowledged prediction is still there, with the scores it was acknowledged with.
    for (let b = 0; b < loop.acked.length; b++) {
      const res = await post(svc, '/v1/models/pint/predictions', { predictions: loop.acked[b] });
      expect(res.body.accepted).toBe(0);
      expect(res.body.duplicates).toBe(loop.acked[b]!.length);
      expect(res.body.results.map((r: any) => ({ ...r, duplicate: false, queued: false }))).toEqual(
        loop.answers[b].results.map((r: any) => ({ ...r, queued: false })),
      );
    }
    // Scoring after the restart equals scoring before it.
    const after = await post(svc, '/v1/models/pint/predictions', { predictions: probes.map((p) => ({ ...p, id: `again-${p.id}` })) });
    expect(after.body.results.map((r: any) => [r.ood, r.uncertainty, r.priority])).toEqual(before.body.results.map((r: any) => [r.ood, r.uncertainty, r.priority]));
    svc.child.kill('SIGTERM');
    expect((await svc.exited).code).toBe(0);
    // Four service starts (tsx, TensorFlow.js, index load): minutes on a loaded CI machine.
  }, 300_000);
});
