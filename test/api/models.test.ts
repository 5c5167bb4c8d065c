import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

describe('models API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('when a model is put, then the typed client reads it back with every setting filled in', async () => {
    const put = await server.client.v1.models[':model'].$put({
      param: { model: 'pint' },
      json: { task: 'multiclass', embeddingDim: 4, encoder: 'enc@1', concepts: [{ id: 'lager', description: 'pale' }, { id: 'stout' }], settings: { ood: { k: 5 } } },
    });
    expect(put.status).toBe(201);
    const res = await server.client.v1.models[':model'].$get({ param: { model: 'pint' } });
    expect(res.status).toBe(200);
    if (res.status !== 200) return;
    const model = await res.json();
    expect(model.encoder).toBe('enc@1');
    expect(model.counts).toEqual({ examples: { train: 0, eval: 0 }, predictions: 0 });
    expect(model.settings).toMatchObject({ ood: { k: 5, quantile: 0.95 }, drift: { windowSize: 500, threshold: 0.15 }, queue: { labelsPerItem: 1 } });
  });

  it('when the embedding space changes after data exists, then the update is refused with 409', async () => {
    await server.request('PUT', '/v1/models/m2', { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }] });
    const added = await server.request('POST', '/v1/models/m2/examples', { examples: [{ id: 'x', embedding: [1, 0], concepts: ['a'] }] });
    expect(added.status).toBe(200);
    const changed = await server.request('PUT', '/v1/models/m2', { task: 'multiclass', embeddingDim: 3, concepts: [{ id: 'a' }, { id: 'b' }] });
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe('conflict');
    const settingsOnly = await server.request('PUT', '/v1/models/m2', { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], settings: { drift: { threshold: 0.3 } } });
    expect(settingsOnly.status).toBe(200);
    expect(settingsOnly.body.settings.drift.threshold).toBe(0.3);
    expect(settingsOnly.body.settings.drift.windowSize).toBe(500);
  });

  it('when a model read with GET is PUT back unchanged, then the masked webhook secret keeps the stored one; a new secret replaces it only when sent', async () => {
    const hooks = { signed: 'https://hooks.example.com/signed', plain: 'https://hooks.example.com/plain' };
    const def = { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }] };
    const put = await server.request('PUT', '/v1/models/hooked', { ...def, settings: { webhooks: [{ url: hooks.signed, secret: 'whsec-original' }, hooks.plain] } });
    expect(put.status).toBe(201);
    const stored = async () => (await server.driftloop.services.models.get('hooked')).settings.webhooks;

    const read = (await server.request('GET', '/v1/models/hooked')).body;
    expect(read.settings.webhooks[0].secret).toBe('********');
    const back = await server.request('PUT', '/v1/models/hooked', { task: read.task, embeddingDim: read.embeddingDim, concepts: read.concepts, settings: read.settings });
    expect(back.status).toBe(200);
    expect(await stored()).toEqual([{ url: hooks.signed, secret: 'whsec-original' }, hooks.plain]);

    // Reordered, the masked secret still follows its URL.
    await server.request('PUT', '/v1/models/hooked', { ...def, settings: { webhooks: [hooks.plain, { url: hooks.signed, secret: '********' }] } });
    expect(await stored()).toEqual([hooks.plain, { url: hooks.signed, secret: 'whsec-original' }]);

    await server.request('PUT', '/v1/models/hooked', { ...def, settings: { webhooks: [{ url: hooks.signed, secret: 'whsec-rotated' }] } });
    expect(await stored()).toEqual([{ url: hooks.signed, secret: 'whsec-rotated' }]);

    // The mask is never a secret: for a URL with none stored it is refused.
    const guessed = await server.request('PUT', '/v1/models/hooked', { ...def, settings: { webhooks: [{ url: hooks.plain, secret: '********' }] } });
    expect(guessed.status).toBe(400);
    expect(guessed.body.error.message).toMatch(/masked/);
    expect(await stored()).toEqual([{ url: hooks.signed, secret: 'whsec-rotated' }]);
  });

  it('when several PUTs create the same new model at once, then one creates it and the others update it, none answers 500', async () => {
    const def = { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }] };
    const answers = await Promise.all(Array.from({ length: 4 }, () => server.request('PUT', '/v1/models/raced', def)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.createdAt)).size).toBe(1);
    const listed = (await server.request('GET', '/v1/models')).body.models as { name: string }[];
    expect(listed.filter((m) => m.name === 'raced')).toHaveLength(1);
  });

  it('when PUTs patch different settings of one model at once, then every patch is kept', async () => {
    const def = { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }] };
    expect((await server.request('PUT', '/v1/models/patched', def)).status).toBe(201);
    const patches = [{ drift: { threshold: 0.31 } }, { queue: { leaseSeconds: 123 } }, { ood: { k: 7 } }, { retrain: { minNewLabels: 77 } }];
    const answers = await Promise.all(patches.map((settings) => server.request('PUT', '/v1/models/patched', { ...def, settings })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const { settings } = (await server.request('GET', '/v1/models/patched')).body;
    expect([settings.drift.threshold, settings.queue.leaseSeconds, settings.ood.k, settings.retrain.minNewLabels]).toEqual([0.31, 123, 7, 77]);
  });

  it('when an unknown model is read, then it answers 404 in the error shape', async () => {
    const res = await server.request('GET', '/v1/models/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
