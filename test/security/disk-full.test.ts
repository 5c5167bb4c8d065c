import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HnswIndex, IndexWriteError } from '../../src/vectors/hnsw-index.js';
import { predictionFor, seedModel, type SeededModel } from '../support/fixtures.js';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.js';

describe('a full disk', () => {
  let server: TestServer;
  let m: SeededModel;
  beforeAll(async () => {
    server = await startTestServer();
    m = await seedModel(server, { dim: 8, examples: 100 });
  });
  afterAll(() => server.stop());

  it('when the database cannot grow, then writes answer 507 insufficient_storage, store nothing, and work again once space is back', async () => {
    const sqlite = server.driftloop.services.database.sqlite!;
    const counts = async () => (await server.request('GET', `/v1/models/${m.name}`)).body.counts;
    const before = await counts();
    const pages = Number(sqlite.pragma('page_count', { simple: true }));
    // SQLite answers SQLITE_FULL ("database or disk is full") past max_page_count, as on a full disk.
    sqlite.pragma(`max_page_count = ${pages + 2}`);
    try {
      const examples = Array.from({ length: 2000 }, (_, i) => ({ id: `full-${i}`, embedding: m.data.point(i % 4), concepts: [m.concepts[i % 4]!], metadata: { pad: 'x'.repeat(200) } }));
      const ex = await server.request('POST', `/v1/models/${m.name}/examples`, { examples });
      expect(ex.status, JSON.stringify(ex.body)).toBe(507);
      expect(ex.body.error.code).toBe('insufficient_storage');
      const predictions = Array.from({ length: 2000 }, (_, i) => ({ ...predictionFor(m, `full-p${i}`, i % 4), metadata: { pad: 'x'.repeat(200) } }));
      const pr = await server.request('POST', `/v1/models/${m.name}/predictions`, { predictions });
      expect(pr.status, JSON.stringify(pr.body)).toBe(507);
      expect(await counts()).toEqual(before);
    } finally {
      sqlite.pragma('max_page_count = 4294967294');
    }
    const again = await server.request('POST', `/v1/models/${m.name}/predictions`, { predictions: [predictionFor(m, 'after', 0)] });
    expect(again.status).toBe(200);
  });
});

describe('index files', () => {
  const points = (n: number, dim: number) => Array.from({ length: n }, (_, i) => Array.from({ length: dim }, (_, j) => Math.sin(i * 7 + j)));

  // Two ways hnswlib's write fails without throwing: it cannot open the file (a directory in the
  // way), or every write fails with ENOSPC (/dev/full opens fine: a disk that fills while writing).
  it.each([
    ['cannot be opened', (tmp: string) => fs.mkdirSync(tmp)],
    ['fills the disk while hnswlib writes', (tmp: string) => fs.symlinkSync('/dev/full', tmp)],
  ])('when the temp file %s, then save throws and the previous file stays whole', (_how, block) => {
    const dir = tempDataDir();
    const file = path.join(dir, 'train.hnsw');
    const index = HnswIndex.create('l2', 4);
    points(50, 4).forEach((p, i) => index.add(i, p));
    index.save(file);
    const saved = fs.readFileSync(file);
    index.add(1000, [1, 2, 3, 4]);
    block(`${file}.tmp`);
    expect(() => index.save(file)).toThrow(IndexWriteError);
    expect(fs.lstatSync(file).isFile()).toBe(true);
    expect(fs.readFileSync(file).equals(saved)).toBe(true);
    expect(HnswIndex.load(file, 'l2', 4)?.size).toBe(50);
  });

  it('when an index file has the right size but other contents, then it is not loaded', () => {
    const dir = tempDataDir();
    const file = path.join(dir, 'train.hnsw');
    const index = HnswIndex.create('l2', 4);
    points(50, 4).forEach((p, i) => index.add(i, p));
    index.save(file);
    expect(HnswIndex.load(file, 'l2', 4)?.size).toBe(50);
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    fs.writeFileSync(file, bytes);
    expect(HnswIndex.load(file, 'l2', 4)).toBeUndefined();
    fs.rmSync(`${file}.sha256`);
    expect(HnswIndex.load(file, 'l2', 4)).toBeUndefined();
  });

  it('when a saved index is tampered with between runs, then the server rebuilds it and scores as before', async () => {
    const server = await startTestServer();
    const m = await seedModel(server, { dim: 8, examples: 200 });
    const probe = predictionFor(m, 'probe-1', 2, { outlier: true });
    const first = await server.request('POST', `/v1/models/${m.name}/predictions`, { predictions: [probe] });
    await server.stop();
    const indexDir = path.join(server.dataDir, 'indexes');
    const files = fs.readdirSync(indexDir, { recursive: true }).map(String);
    let tampered = 0;
    for (const f of files) {
      const full = path.join(indexDir, f);
      if (f.endsWith('.sha256') || !fs.statSync(full).isFile() || !fs.existsSync(`${full}.sha256`)) continue;
      const bytes = fs.readFileSync(full);
      for (let i = Math.floor(bytes.length / 3); i < bytes.length; i += 97) bytes[i] ^= 0x5a;
      fs.writeFileSync(full, bytes);
      tampered += 1;
    }
    expect(tampered, files.join(',')).toBeGreaterThan(0);
    const again = await startTestServer({ dataDir: server.dataDir });
    const second = await again.request('POST', `/v1/models/${m.name}/predictions`, { predictions: [{ ...probe, id: 'probe-2' }] });
    expect(second.status).toBe(200);
    expect(second.body.results[0].ood.distance).toBeCloseTo(first.body.results[0].ood.distance, 5);
    await again.stop();
  });
});
