import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dice, mutateText, mutateValue, RawJson, resolve, type Json, type Schema } from '../support/fuzz.js';
import { databaseUrlFor } from '../support/database.js';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.js';
import { waitForJob } from '../support/training-fixtures.js';
import { ClusteredData } from '../support/clustered-data.js';
import { CONCEPTS, confident, outliers, UNSURE, type Fixture } from '../queue/support.js';

/**
 * A seeded fuzz of every route in the service's own /openapi.json. Each request starts from a
 * valid body and is mutated (schema-guided value changes, broken JSON text, odd path and query
 * values, the wrong key); whatever comes back must be a 2xx or a 4xx with the JSON error shape,
 * a refused write must leave the counts as they were, and /healthz must still answer.
 *
 * On PostgreSQL a second instance serves the same database, and the requests sent several times
 * at once alternate between the two; afterwards both must show the same counts and queues.
 *
 * DRIFTLOOP_FUZZ_SEEDS="1,2,3" and DRIFTLOOP_FUZZ_REQUESTS=1000 run a longer search by hand.
 */
const SEEDS = (process.env.DRIFTLOOP_FUZZ_SEEDS ?? '20261201').split(',').map(Number);
const REQUESTS = Number(process.env.DRIFTLOOP_FUZZ_REQUESTS ?? 300);
const ADMIN = 'fuzz-bootstrap-admin-key-0123456789';
const LIMITS = { maxBatchRecords: 40, maxBodyBytes: 256 * 1024 };

type KeyKind = 'admin' | 'ingest' | 'label' | 'none' | 'garbage' | 'revoked' | 'basic';
const KEY_KINDS: readonly [KeyKind, number][] = [['admin', 45], ['label', 20], ['ingest', 15], ['none', 7], ['garbage', 5], ['revoked', 5], ['basic', 3]];
/** Routes only an admin key may use, by `METHOD template`. */
const ADMIN_ONLY = new Set(['PUT /v1/models/{model}', 'POST /v1/models/{model}/examples']);
const ODD_SEGMENTS = [
  '%00', '%2F', '..', '%2e%2e', 'a%20b', '__proto__', 'constructor', 'x'.repeat(129), '-lead', encodeURIComponent('😀'), '%ff', '%', '0', '-1',
  '1.5', '1e3', '99999999999999999999', 'NaN', encodeURIComponent('\u202e'), '.', ';', 'a%3Fb', encodeURIComponent('m\u0000'), 'M', 'm%20',
];
const ODD_QUERY = ['0', '-1', '1.5', '1e400', 'NaN', '', 'abc', '99999999999', 'json', 'HTML', '%ff', '%00', 'x'.repeat(3000)];
/** Valid but unusual: the epoch, the ends of the ISO year range, the widest offsets. */
const TIMESTAMPS = ['2026-11-30T12:00:00Z', '1970-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-12-01T21:00:00+14:00', '2026-12-01T21:00:00-12:00'];
const LABEL_KINDS: { [key: string]: Json }[] = [{}, {}, { newConcepts: ['porter'] }, { outOfScope: true, concepts: [] }, { skip: true, concepts: [] }, { bulk: true }];
const OTHER_LABELERS = ['bob', 'ANN', 'ann\u200b', 'an', 'ann\u0000', 'admin'];

interface Operation {
  method: string;
  template: string;
  params: { name: string; in: string; schema: Schema }[];
  body?: Schema;
  ndjson: boolean;
}

interface Sent {
  op: Operation;
  url: string;
  key: KeyKind;
  what: string[];
  labelers: string[];
}

function operations(doc: Schema): Operation[] {
  const ops: Operation[] = [];
  for (const [template, byMethod] of Object.entries<Schema>(doc.paths)) {
    for (const [method, op] of Object.entries<Schema>(byMethod)) {
      const content = op.requestBody?.content ?? {};
      ops.push({
        method: method.toUpperCase(),
        template,
        params: op.parameters ?? [],
        body: content['application/json'] ? resolve(content['application/json'].schema, doc) : undefined,
        ndjson: 'application/x-ndjson' in content,
      });
    }
  }
  return ops;
}

/** Every string under a `labeler` key in a body. */
function labelersIn(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => labelersIn(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) k === 'labeler' && typeof x === 'string' ? out.push(x) : labelersIn(x, out);
  return out;
}

describe.each(SEEDS)('HTTP fuzz from the OpenAPI document, seed %i', (seed) => {
  let server: TestServer;
  /** On PostgreSQL, another instance on the same database. */
  let second: TestServer | undefined;
  let doc: Schema;
  let f: Fixture;
  const keys = {} as Record<KeyKind, string | undefined>;
  const itemIds: string[] = [];
  let serial = 0;

  const admin = (method: string, path: string, body?: unknown) => server.request(method, path, body, ADMIN);

  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN }, limits: LIMITS });
    const k = server.driftloop.services.keys;
    keys.admin = ADMIN;
    keys.ingest = (await k.create('ingest', 'app')).key;
    keys.label = (await k.create('label', 'ann')).key;
    const old = await k.create('label', 'old');
    await k.revoke(old.info.id);
    keys.revoked = old.key;
    keys.garbage = 'dl_' + 'z'.repeat(40);
    f = { model: 'm', data: new ClusteredData({ dim: 16, clusters: 3, spread: 0.25, seed: 7 }) };
    expect((await admin('PUT', '/v1/models/m', { task: 'multiclass', embeddingDim: 16, concepts: CONCEPTS, settings: { queue: { maxLeases: 10 } } })).status).toBe(201);
    for (let start = 0; start < 240; start += LIMITS.maxBatchRecords) {
      const examples = Array.from({ length: LIMITS.maxBatchRecords }, (_, i) => ({ id: `ex-${start + i}`, embedding: f.data.point(i % 3), concepts: [CONCEPTS[i % 3]!.id], split: i % 5 ? 'train' : 'eval' }));
      expect((await admin('POST', '/v1/models/m/examples', { examples })).status).toBe(200);
    }
    expect((await admin('PUT', '/v1/models/side', { task: 'multilabel', embeddingDim: 4, concepts: [{ id: 'a' }, { id: 'b' }] })).status).toBe(201);
    const predictions = outliers(f.data, 30).map((embedding, i) => ({ id: `seed-${i}`, embedding, scores: UNSURE }));
    expect((await admin('POST', '/v1/models/m/predictions', { predictions })).status).toBe(200);
    const claimed = await admin('POST', '/v1/models/m/queue/claim', { labeler: 'ann', limit: 6 });
    itemIds.push(...claimed.body.items.map((i: { itemId: string }) => i.itemId));
    doc = (await server.request('GET', '/openapi.json')).body;
    const url = await databaseUrlFor(server.dataDir);
    if (url) second = await startTestServer({ dataDir: tempDataDir(), env: { DRIFTLOOP_ADMIN_KEY: ADMIN, DRIFTLOOP_DATABASE_URL: url }, limits: LIMITS });
  });
  afterAll(async () => {
    await second?.stop();
    await server?.stop();
  });

  /** A valid body for each operation that takes one; a new route without one fails the test. */
  function validBody(op: Operation, dice: Dice): Json {
    const id = () => `fz-${seed}-${serial++}`;
    const itemId = dice.pick(itemIds);
    switch (`${op.method} ${op.template}`) {
      case 'PUT /v1/models/{model}':
        return { task: 'multilabel', embeddingDim: 4, encoder: 'enc@1', metric: 'cosine', concepts: [{ id: 'a', description: 'A', includes: ['x'], excludes: ['y'] }, { id: 'b' }], settings: { queue: { leaseSeconds: 300 }, drift: { windowSize: 500 } } };
      case 'POST /v1/models/{model}/examples':
        return { examples: [0, 1, 2].map((c) => ({ id: id(), embedding: f.data.point(c), concepts: [CONCEPTS[c]!.id], split: 'train', scores: confident(c), input: { url: 'https://example.com/e.jpg', text: 'e' }, metadata: { k: 'v' } })) };
      case 'POST /v1/models/{model}/predictions':
        return { predictions: outliers(f.data, 2).map((embedding) => ({ id: id(), embedding, scores: UNSURE, modelVersion: 'v1', timestamp: dice.pick(TIMESTAMPS), input: { text: 'p' }, metadata: { app: 'x' } })) };
      case 'POST /v1/models/{model}/predict':
        return { embeddings: [f.data.point(0), f.data.point(1)] };
      case 'POST /v1/models/{model}/queue/claim':
        return dice.chance(0.2) ? { labeler: 'ann', limit: 1, region: dice.pick([1, 2, 999_999_999]) } : { labeler: 'ann', limit: 1 };
      case 'POST /v1/models/{model}/queue/items/{itemId}/renew':
        return { labeler: 'ann' };
      case 'POST /v1/models/{model}/labels/retract':
        return { labeler: 'ann', itemIds: [itemId] };
      case 'POST /v1/models/{model}/labels':
        return { labels: [{ itemId, labeler: 'ann', concepts: [dice.pick(CONCEPTS).id], ...dice.pick(LABEL_KINDS) }] };
      default:
        throw new Error(`no valid body for ${op.method} ${op.template}: add one to the fuzz test`);
    }
  }

  function pathValue(op: Operation, name: string, dice: Dice): string {
    if (name === 'model' && op.method === 'PUT') return dice.chance(0.7) ? 'side' : `new-${seed}-${serial++}`;
    if (name === 'model') return dice.chance(0.9) ? 'm' : 'side';
    if (name === 'itemId') return dice.pick(itemIds);
    if (name === 'version') return '1';
    return 'no-such-job';
  }

  function buildUrl(op: Operation, dice: Dice, what: string[]): string {
    let path = op.template;
    for (const p of op.params.filter((x) => x.in === 'path')) {
      let value = pathValue(op, p.name, dice);
      if (dice.chance(0.2)) {
        value = dice.pick(ODD_SEGMENTS);
        what.push(`path ${p.name}=${value.slice(0, 20)}`);
      }
      path = path.replace(`{${p.name}}`, value);
    }
    const query = op.params.filter((x) => x.in === 'query');
    const parts: string[] = [];
    for (const q of query) {
      if (!dice.chance(0.5)) continue;
      const valid = q.schema.enum ? dice.pick(q.schema.enum as string[]) : String(q.schema.default ?? q.schema.minimum ?? 1);
      const value = dice.chance(0.5) ? dice.pick(ODD_QUERY) : valid;
      parts.push(`${q.name}=${value}`);
      if (dice.chance(0.2)) parts.push(`${q.name}=${valid}`); // the same parameter twice
    }
    if (dice.chance(0.05)) parts.push('unknown=1');
    if (parts.length) what.push(`query ${parts.join('&').slice(0, 60)}`);
    return path + (parts.length ? `?${parts.join('&')}` : '');
  }

  /** One fuzzed request: its URL, key, headers and body text. */
  function build(dice: Dice, ops: Operation[]): Sent & { init: RequestInit } {
    const op = dice.pick(ops);
    const what: string[] = [];
    const url = buildUrl(op, dice, what);
    const weights = KEY_KINDS.reduce((n, [, w]) => n + w, 0);
    let roll = dice.int(weights);
    const key = KEY_KINDS.find(([, w]) => (roll -= w) < 0)![0];
    const headers: Record<string, string> = {};
    if (key === 'basic') headers.authorization = `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}`;
    else if (keys[key]) headers.authorization = `Bearer ${keys[key]}`;
    let text: string | undefined;
    let labelers: string[] = [];
    if (op.body) {
      const raw = new RawJson();
      let body = validBody(op, dice);
      if (labelersIn(body).length && dice.chance(0.15)) {
        const other = dice.pick(OTHER_LABELERS);
        body = JSON.parse(JSON.stringify(body).replace(/"labeler":"ann"/g, `"labeler":${JSON.stringify(other)}`));
        what.push(`labeler ${JSON.stringify(other)}`);
      }
      const rounds = dice.pick([0, 1, 1, 1, 1, 2, 3]);
      for (let i = 0; i < rounds; i++) {
        const m = mutateValue(body, op.body, doc, dice, raw, LIMITS);
        body = m.body;
        what.push(m.what);
      }
      labelers = labelersIn(body);
      let contentType = 'application/json';
      const examples = body !== null && typeof body === 'object' && !Array.isArray(body) ? body.examples : undefined;
      if (op.ndjson && Array.isArray(examples) && dice.chance(0.3)) {
        text = examples.map((e) => raw.serialize(e)).join('\n');
        contentType = 'application/x-ndjson';
        what.push('as NDJSON');
      } else {
        text = raw.serialize(body);
      }
      if (dice.chance(0.15)) {
        const t = mutateText(text, contentType, dice);
        text = t.text;
        what.push(t.what);
        if (t.contentType) headers['content-type'] = t.contentType;
      } else {
        headers['content-type'] = contentType;
      }
    } else if (op.method !== 'GET' && dice.chance(0.3)) {
      text = dice.pick(['{}', '{"x":1}', 'not json', '[]']);
      headers['content-type'] = 'application/json';
      what.push(`unexpected body ${text}`);
    }
    return { op, url, key, what, labelers, init: { method: op.method, headers, body: text } };
  }

  /** What a refused write must not change: the counts, definitions and queue of every model. */
  async function snapshot(on: TestServer = server) {
    const read = (path: string) => on.request('GET', path, undefined, ADMIN);
    const models = (await read('/v1/models')).body;
    const list = (Array.isArray(models) ? models : models.models) as { name: string; counts: unknown; concepts: unknown; settings: unknown; task: unknown; embeddingDim: unknown }[];
    const queues = await Promise.all(list.map(async (m) => (await read(`/v1/models/${m.name}/queue`)).body));
    return list.map((m, i) => {
      const { pending, leased, labeled, labelers } = queues[i];
      return { name: m.name, counts: m.counts, concepts: m.concepts, settings: m.settings, task: m.task, dim: m.embeddingDim, queue: { pending, leased, labeled, labelers } };
    });
  }

  it(`when ${REQUESTS} mutated requests arrive, then none answers 5xx, each 4xx has the error shape and stores nothing, and the service stays up`, async () => {
    const dice = new Dice(seed);
    const ops = operations(doc).filter((op) => op.template.startsWith('/v1/'));
    expect(ops.length).toBeGreaterThan(20);
    const tally: Record<string, number> = {};
    for (let n = 0; n < REQUESTS; n++) {
      const sent = build(dice, ops);
      const write = sent.op.method !== 'GET';
      const before = write ? await snapshot() : undefined;
      // Now and then the same request three times at once: duplicate ids and names racing each other (on two instances when there are two).
      const copies = dice.chance(0.08) ? 3 : 1;
      if (copies > 1) sent.what.push(second ? 'sent 3 times at once, to A, B and A' : 'sent 3 times at once');
      const answers = await Promise.all(Array.from({ length: copies }, async (_, i) => {
        const res = await fetch((i % 2 && second ? second : server).url + sent.url, sent.init);
        return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
      }));
      for (const res of answers) {
        const context = `seed ${seed} request ${n}: ${sent.op.method} ${sent.url.slice(0, 120)} as ${sent.key} [${sent.what.join('; ')}] → ${res.status} ${res.text.slice(0, 300)}`;
        tally[res.status] = (tally[res.status] ?? 0) + 1;
        expect(res.status, context).toBeLessThan(500);
        if (['none', 'garbage', 'revoked', 'basic'].includes(sent.key)) expect(res.status, context).toBeGreaterThanOrEqual(400);
        if (sent.key === 'ingest' && ADMIN_ONLY.has(`${sent.op.method} ${sent.op.template}`)) expect(res.status, context).toBeGreaterThanOrEqual(400);
        if (sent.key === 'label' && sent.labelers.some((l) => l.trim() !== 'ann')) expect(res.status, context).toBeGreaterThanOrEqual(400);
        if (res.status >= 400) {
          expect(res.type, context).toMatch(/^application\/json/);
          const error = JSON.parse(res.text).error;
          expect(error, context).toMatchObject({ code: expect.any(String), message: expect.any(String) });
          if (error.details !== undefined) expect(typeof error.details, context).toBe('object');
        }
      }
      // A retrain works on after its 202 (a promotion adds labeled items to the examples): the next snapshot waits for it.
      for (const res of answers.filter((a) => a.status === 202)) await waitForJob({ ...server, request: (m, p, b) => admin(m, p, b) }, JSON.parse(res.text).jobId);
      if (write && answers.every((a) => a.status >= 400)) expect(await snapshot(), `seed ${seed} request ${n}: [${sent.what.join('; ')}]`).toEqual(before);
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status, `after seed ${seed} request ${n}`).toBe(200);
    }
    if (second) expect(await snapshot(second), 'both instances after the fuzz').toEqual(await snapshot());
    // The mix reached past validation and auth: some answers succeeded, and several kinds of refusal came back.
    expect(Object.keys(tally).filter((s) => s.startsWith('2')).length, JSON.stringify(tally)).toBeGreaterThan(0);
    expect(Object.keys(tally).filter((s) => s.startsWith('4')).length, JSON.stringify(tally)).toBeGreaterThanOrEqual(5);
    console.info(`fuzz seed ${seed}: ${REQUESTS} requests, statuses ${JSON.stringify(tally)}`);
  });
});
