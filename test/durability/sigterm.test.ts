import { describe, expect, it } from 'vitest';
import { startServiceProcess } from '../../scripts/lib/service-process.js';
import { ClusteredData } from '../support/clustered-data.js';
import { databaseEnv } from '../support/database.js';
import { tempDataDir } from '../support/server.js';

describe('SIGTERM', () => {
  it('when SIGTERM arrives while a batch is in flight, then the batch completes and the process exits 0', async () => {
    const dataDir = tempDataDir();
    const svc = await startServiceProcess({ DRIFTLOOP_DATA_DIR: dataDir, ...(await databaseEnv(dataDir)) });
    const data = new ClusteredData({ dim: 64, clusters: 3, spread: 0.3, seed: 5 });
    const post = (p: string, body: unknown) => svc.request(p.endsWith('pint') ? 'PUT' : 'POST', p, body);
    await post('/v1/models/pint', { task: 'multiclass', embeddingDim: 64, concepts: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] });
    const examples = Array.from({ length: 3000 }, (_, i) => ({ id: `e${i}`, embedding: data.point(i % 3), concepts: [['a', 'b', 'c'][i % 3]] }));
    const inFlight = post('/v1/models/pint/examples', { examples });
    await new Promise((r) => setTimeout(r, 50));
    svc.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ inserted: 3000 });
    expect(await svc.exited).toEqual({ code: 0, signal: null });
    expect(svc.logs.some((l) => l.includes('"draining"'))).toBe(true);
  });
});
