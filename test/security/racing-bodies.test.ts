import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeVector } from '../../src/util/vectors.js';
import { CONCEPT_IDS, CONCEPTS, outliers, setupModel, UNSURE, type Fixture } from '../queue/support.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { retrain } from '../support/training-fixtures.js';

/**
 * Different valid bodies racing on the same ids, all sent at once: whatever order the service
 * takes them in, exactly one wins, its body is what is stored (never a mix of two), no answer is
 * a 5xx, and the counts agree afterwards.
 */
const ROUNDS = 12;

interface Answer {
  status: number;
  body: any;
}

describe('different bodies racing on the same ids', () => {
  let server: TestServer;
  let f: Fixture;
  const db = () => server.driftloop.services.database.db;
  const post = (path: string, body: unknown): Promise<Answer> => server.request('POST', path, body);
  const put = (path: string, body: unknown): Promise<Answer> => server.request('PUT', path, body);

  beforeAll(async () => {
    server = await startTestServer();
    f = await setupModel(server, 'm', { queue: { labelsPerItem: 1 } });
    await setupModel(server, 'two', { queue: { labelsPerItem: 2 } }, 8);
  });
  afterAll(() => server?.stop());

  const noServerErrors = (answers: Answer[], context: string) => {
    for (const a of answers) expect(a.status, `${context}: ${JSON.stringify(a.body).slice(0, 300)}`).toBeLessThan(500);
  };

  /** Queue items of `model` whose prediction is `predictionId`. */
  async function itemsOf(model: string, predictionId: string): Promise<number> {
    const modelId = (await server.driftloop.services.models.get(model)).id;
    const rows = await db()
      .selectFrom('queue_items')
      .innerJoin('predictions', 'predictions.seq', 'queue_items.prediction_seq')
      .select('queue_items.id')
      .where('predictions.model_id', '=', modelId)
      .where('predictions.id', '=', predictionId)
      .execute();
    return rows.length;
  }

  it('when one prediction id arrives with different embeddings and scores from four requests at once, then one body is stored whole and the others answer as duplicates of it', async () => {
    const countBefore = (await server.request('GET', '/v1/models/m')).body.counts.predictions as number;
    for (let round = 0; round < ROUNDS; round++) {
      const id = `same-${round}`;
      const bodies = outliers(f.data, 4).map((embedding, i) => ({ id, embedding, scores: i % 2 ? UNSURE : { lager: 0.2, stout: 0.3, ipa: 0.5 }, metadata: { sender: i } }));
      // Each batch also carries an id of its own and one shared with another batch, in a different order.
      const pair = (i: number) => ({ ...bodies[i]!, id: `pair-${round}-${Math.floor(i / 2)}` });
      const batches = bodies.map((b, i) => (i % 2 ? [b, pair(i), { ...b, id: `own-${round}-${i}` }] : [{ ...b, id: `own-${round}-${i}` }, pair(i), b]));
      const answers = await Promise.all(batches.map((predictions) => post('/v1/models/m/predictions', { predictions })));
      noServerErrors(answers, `round ${round}`);
      for (const a of answers) expect(a.status).toBe(200);
      const results = answers.map((a) => (a.body.results as { id: string; duplicate: boolean; priority: number; uncertainty: number; ood: unknown }[]).find((r) => r.id === id)!);
      const winners = results.flatMap((r, i) => (r.duplicate ? [] : [i]));
      expect(winners, `round ${round}`).toHaveLength(1);
      const winner = winners[0]!;
      const row = await db().selectFrom('predictions').select(['embedding', 'scores_json', 'metadata_json', 'priority', 'uncertainty']).where('id', '=', id).where('model_id', '=', (await server.driftloop.services.models.get('m')).id).executeTakeFirstOrThrow();
      expect(JSON.parse(row.metadata_json!)).toEqual({ sender: winner });
      expect(JSON.parse(row.scores_json)).toEqual(bodies[winner]!.scores);
      expect(Array.from(decodeVector(row.embedding))).toEqual(Array.from(Float32Array.from(bodies[winner]!.embedding)));
      // Every answer reports the stored scoring of the one body that won.
      for (const r of results) expect({ priority: r.priority, uncertainty: r.uncertainty }).toEqual({ priority: row.priority, uncertainty: row.uncertainty });
      expect(await itemsOf('m', id)).toBeLessThanOrEqual(1);
      const accepted = answers.reduce((n, a) => n + (a.body.accepted as number), 0);
      expect(accepted, `round ${round}`).toBe(1 + 4 + 2);
    }
    expect((await server.request('GET', '/v1/models/m')).body.counts.predictions).toBe(countBefore + ROUNDS * 7);
  });

  it('when one example id arrives with different embeddings, concepts and splits from four requests at once, then one body is stored whole and the reference counts it once', async () => {
    const before = (await server.request('GET', '/v1/models/m')).body.counts.examples as { train: number; eval: number };
    let added = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const id = `ex-same-${round}`;
      const bodies = [0, 1, 2, 0].map((c, i) => ({ id, embedding: f.data.point(c), concepts: [CONCEPT_IDS[c]!], split: i % 2 ? 'eval' : 'train', metadata: { sender: i } }));
      const answers = await Promise.all(bodies.map((b, i) => post('/v1/models/m/examples', { examples: i % 2 ? [b, { ...b, id: `ex-own-${round}-${i}` }] : [{ ...b, id: `ex-own-${round}-${i}` }, b] })));
      noServerErrors(answers, `round ${round}`);
      for (const a of answers) expect(a.status).toBe(200);
      expect(answers.reduce((n, a) => n + (a.body.inserted as number), 0)).toBe(5);
      added += 5;
      const modelId = (await server.driftloop.services.models.get('m')).id;
      const rows = await db().selectFrom('examples').select(['embedding', 'concepts_json', 'split', 'metadata_json']).where('model_id', '=', modelId).where('id', '=', id).execute();
      expect(rows).toHaveLength(1);
      const sender = JSON.parse(rows[0]!.metadata_json!).sender as number;
      expect({ concepts: JSON.parse(rows[0]!.concepts_json), split: rows[0]!.split }).toEqual({ concepts: bodies[sender]!.concepts, split: bodies[sender]!.split });
      expect(Array.from(decodeVector(rows[0]!.embedding))).toEqual(Array.from(Float32Array.from(bodies[sender]!.embedding)));
    }
    const after = (await server.request('GET', '/v1/models/m')).body.counts.examples as { train: number; eval: number };
    expect(after.train + after.eval).toBe(before.train + before.eval + added);
    const set = await server.driftloop.services.references.get(await server.driftloop.services.models.get('m'));
    expect(set.train.size + set.evalIndex.size).toBe(after.train + after.eval);
  });

  it('when two labelers label one unleased item at once, then the item takes as many labels as it has slots and the counts agree', async () => {
    for (const [model, slots] of [['m', 1], ['two', 2]] as const) {
      const fixture = model === 'm' ? f : undefined;
      const embeddings = outliers(fixture?.data ?? f.data, ROUNDS);
      const ingested = await post(`/v1/models/${model}/predictions`, { predictions: embeddings.map((embedding, i) => ({ id: `lab-${model}-${i}`, embedding, scores: UNSURE })) });
      expect(ingested.status).toBe(200);
      const ids = (await db().selectFrom('queue_items').select('id').where('status', '=', 'pending').orderBy('id', 'desc').limit(ROUNDS).execute()).map((r) => String(r.id));
      for (const itemId of ids) {
        const answers = await Promise.all(['ann', 'bob', 'cy'].map((labeler, i) => post(`/v1/models/${model}/labels`, { labels: [{ itemId, labeler, concepts: [CONCEPT_IDS[i]!] }] })));
        noServerErrors(answers, `item ${itemId}`);
        const ok = answers.filter((a) => a.status === 200 && a.body.accepted === 1);
        expect(ok.length, JSON.stringify(answers.map((a) => [a.status, a.body]))).toBe(Math.min(slots, 3));
        for (const a of answers.filter((x) => x.status !== 200)) expect(a.status).toBe(409);
        const item = await db().selectFrom('queue_items').select(['labels_count', 'leases_count']).where('id', '=', Number(itemId)).executeTakeFirstOrThrow();
        const labels = await db().selectFrom('queue_labels').select('labeler').where('item_id', '=', Number(itemId)).execute();
        expect({ count: item.labels_count, leases: item.leases_count }).toEqual({ count: labels.length, leases: 0 });
        expect(labels.length).toBe(ok.length);
      }
    }
  });

  it('when one labeler sends two different labels for one item at once, then one is stored and the other counts as a duplicate', async () => {
    const ingested = await post('/v1/models/m/predictions', { predictions: outliers(f.data, ROUNDS).map((embedding, i) => ({ id: `twice-${i}`, embedding, scores: UNSURE })) });
    expect(ingested.status).toBe(200);
    const modelId = (await server.driftloop.services.models.get('m')).id;
    const items = await db().selectFrom('queue_items').select('id').where('model_id', '=', modelId).where('status', '=', 'pending').orderBy('id', 'desc').limit(ROUNDS).execute();
    for (const { id } of items) {
      const answers = await Promise.all([0, 1].map((c) => post('/v1/models/m/labels', { labels: [{ itemId: String(id), labeler: 'dee', concepts: [CONCEPT_IDS[c]!] }] })));
      noServerErrors(answers, `item ${id}`);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      expect(answers.map((a) => a.body.accepted).sort()).toEqual([0, 1]);
      const winner = answers.findIndex((a) => a.body.accepted === 1);
      const labels = await db().selectFrom('queue_labels').select('concepts_json').where('item_id', '=', id).execute();
      expect(labels.map((l) => JSON.parse(l.concepts_json))).toEqual([[CONCEPT_IDS[winner]!]]);
    }
  });

  it('when a labeler claims while another labels the same item without a claim, then the one slot goes to one of them', async () => {
    const solo = await setupModel(server, 'solo', { queue: { labelsPerItem: 1 } }, 9);
    const modelId = (await server.driftloop.services.models.get('solo')).id;
    for (let round = 0; round < 30; round++) {
      // One pending item: the one the claim takes and the label names.
      const ingested = await post('/v1/models/solo/predictions', { predictions: [{ id: `solo-${round}`, embedding: outliers(solo.data, 1)[0]!, scores: UNSURE }] });
      expect(ingested.status).toBe(200);
      const pending = await db().selectFrom('queue_items').select('id').where('model_id', '=', modelId).where('status', '=', 'pending').execute();
      expect(pending).toHaveLength(1);
      const itemId = String(pending[0]!.id);
      const [claimed, labeled] = await Promise.all([post('/v1/models/solo/queue/claim', { labeler: 'ann', limit: 1 }), post('/v1/models/solo/labels', { labels: [{ itemId, labeler: 'bob', concepts: ['stout'] }] })]);
      noServerErrors([claimed, labeled], `round ${round}`);
      const item = await db().selectFrom('queue_items').select(['labels_count', 'leases_count']).where('id', '=', Number(itemId)).executeTakeFirstOrThrow();
      const context = `round ${round}: claim ${claimed.status} ${JSON.stringify(claimed.body.items?.map((i: { itemId: string }) => i.itemId))}, label ${labeled.status}, item ${JSON.stringify(item)}`;
      expect(item.labels_count + item.leases_count, context).toBe(1);
      const gotIt = claimed.body.items.some((i: { itemId: string }) => i.itemId === itemId);
      expect({ claimed: gotIt, labeled: labeled.status }, context).toEqual(gotIt ? { claimed: true, labeled: 409 } : { claimed: false, labeled: 200 });
      if (gotIt) expect((await post('/v1/models/solo/labels', { labels: [{ itemId, labeler: 'ann', concepts: ['lager'] }] })).status).toBe(200);
    }
  });

  it('when a bulk label races its retraction, then the item ends either labeled with the label or pending without it, and the counts agree', async () => {
    const ingested = await post('/v1/models/m/predictions', { predictions: outliers(f.data, ROUNDS).map((embedding, i) => ({ id: `undo-${i}`, embedding, scores: UNSURE })) });
    expect(ingested.status).toBe(200);
    const modelId = (await server.driftloop.services.models.get('m')).id;
    const items = await db().selectFrom('queue_items').select('id').where('model_id', '=', modelId).where('status', '=', 'pending').orderBy('id', 'desc').limit(ROUNDS).execute();
    const outcomes = new Set<string>();
    for (const [n, { id }] of items.entries()) {
      const itemId = String(id);
      const label = () => post('/v1/models/m/labels', { labels: [{ itemId, labeler: 'eve', concepts: ['lager'], bulk: true }] });
      const retract = () => post('/v1/models/m/labels/retract', { labeler: 'eve', itemIds: [itemId] });
      const answers = await Promise.all(n % 2 ? [label(), retract()] : [retract(), label()].reverse());
      noServerErrors(answers, `item ${itemId}`);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      const [labeled, retracted] = answers as [Answer, Answer];
      expect(labeled.body.accepted).toBe(1);
      const item = await db().selectFrom('queue_items').select(['labels_count', 'status']).where('id', '=', id).executeTakeFirstOrThrow();
      const rows = await db().selectFrom('queue_labels').select('labeler').where('item_id', '=', id).execute();
      expect(item.labels_count).toBe(rows.length);
      if (retracted.body.retracted === 1) expect({ rows: rows.length, status: item.status }).toEqual({ rows: 0, status: 'pending' });
      else expect({ rows: rows.length, status: item.status }).toEqual({ rows: 1, status: 'labeled' });
      outcomes.add(String(retracted.body.retracted));
    }
    const queue = (await server.request('GET', '/v1/models/m/queue')).body;
    const labeledRows = await db().selectFrom('queue_items').select((e) => e.fn.countAll().as('n')).where('model_id', '=', modelId).where('status', '=', 'labeled').executeTakeFirstOrThrow();
    expect(queue.labeled).toBe(Number(labeledRows.n));
  });

  it('when a PUT changes a new model while its first examples arrive, then either the PUT is refused or the examples are, never both stored', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const name = `fresh-${round}`;
      expect((await put(`/v1/models/${name}`, { task: 'multiclass', embeddingDim: 4, concepts: [{ id: 'a' }, { id: 'b' }] })).status).toBe(201);
      const change = round % 2 ? { task: 'multiclass', embeddingDim: 8, concepts: [{ id: 'a' }, { id: 'b' }] } : { task: 'multiclass', embeddingDim: 4, concepts: [{ id: 'a' }] };
      const examples = [0, 1, 2, 3].map((i) => ({ id: `e-${i}`, embedding: [1, i, 0, 1], concepts: [i % 2 ? 'b' : 'a'], split: 'train' }));
      const [changed, uploaded] = await Promise.all([put(`/v1/models/${name}`, change), post(`/v1/models/${name}/examples`, { examples })]);
      noServerErrors([changed, uploaded], `round ${round}`);
      const context = `round ${round}: PUT ${changed.status} ${JSON.stringify(changed.body).slice(0, 200)}, examples ${uploaded.status} ${JSON.stringify(uploaded.body).slice(0, 200)}`;
      expect([changed.status, uploaded.status].filter((s) => s === 200), context).toHaveLength(1);
      const model = (await server.request('GET', `/v1/models/${name}`)).body;
      const stored = model.counts.examples.train + model.counts.examples.eval;
      if (changed.status === 200) expect({ stored, dim: model.embeddingDim, concepts: model.concepts.length }, context).toEqual({ stored: 0, dim: change.embeddingDim, concepts: change.concepts.length });
      else expect({ stored, dim: model.embeddingDim, concepts: model.concepts.length, status: changed.status }, context).toEqual({ stored: 4, dim: 4, concepts: 2, status: 409 });
    }
  });

  it('when two versions are promoted at once, then exactly one is champion', async () => {
    for (let i = 0; i < 3; i++) expect((await retrain(server, 'two')).status).toBe('succeeded');
    const modelId = (await server.driftloop.services.models.get('two')).id;
    const versions = ((await server.request('GET', '/v1/models/two/versions')).body as { version: number }[]).map((v) => v.version);
    expect(versions.length).toBeGreaterThanOrEqual(3);
    // The window is one transaction's round trips: many rounds, each cheap (about 10 ms).
    for (let round = 0; round < 60; round++) {
      // Two versions that are not champion now: both promotions have to retire the champion.
      const champion = await db().selectFrom('model_versions').select('version').where('model_id', '=', modelId).where('status', '=', 'champion').executeTakeFirst();
      const pair = versions.filter((v) => v !== champion?.version).slice(0, 2);
      const answers = await Promise.all(pair.map((v) => post(`/v1/models/two/versions/${v}/promote`, undefined)));
      noServerErrors(answers, `round ${round}`);
      expect(answers.map((a) => a.status), `round ${round}`).toEqual([200, 200]);
      const champions = await db().selectFrom('model_versions').select('version').where('model_id', '=', modelId).where('status', '=', 'champion').execute();
      expect(champions.map((c) => c.version), `round ${round}: promoted ${pair} at once`).toHaveLength(1);
      expect(pair).toContain(champions[0]!.version);
    }
  });

  it('when all of it is over, then the queue statistics agree with the stored items', async () => {
    for (const model of ['m', 'two']) {
      const modelId = (await server.driftloop.services.models.get(model)).id;
      const queue = (await server.request('GET', `/v1/models/${model}/queue`)).body;
      const byStatus = await db().selectFrom('queue_items').select(['status', (e) => e.fn.countAll().as('n')]).where('model_id', '=', modelId).groupBy('status').execute();
      const count = (s: string) => Number(byStatus.find((r) => r.status === s)?.n ?? 0);
      expect({ pending: queue.pending, labeled: queue.labeled }).toEqual({ pending: count('pending'), labeled: count('labeled') });
    }
    expect(CONCEPTS.length).toBe(3);
  });
});
