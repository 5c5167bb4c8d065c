import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/util/random.js';
import { claim, label } from '../../queue/support.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { CONCEPTS, DriftData, modelDefinition } from '../support/generated.js';

describe('estimated accuracy in the report and the dashboard', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    const gen = new DriftData(8, 41);
    const rand = mulberry32(9);
    const drift = { evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000, windowSize: 100 };
    expect((await server.request('PUT', '/v1/models/pint-acc', modelDefinition(8, { drift }))).status).toBe(201);
    expect((await server.request('POST', '/v1/models/pint-acc/examples', { examples: gen.examples(500) })).status).toBe(200);
    const evalExamples = gen.examples(300, 'eval').map((e) => {
      const truth = CONCEPTS.indexOf(e.concepts[0]!);
      return { ...e, split: 'eval' as const, scores: gen.data.scores(CONCEPTS, rand() < 0.9 ? truth : (truth + 1) % CONCEPTS.length, 0.9) };
    });
    expect((await server.request('POST', '/v1/models/pint-acc/examples', { examples: evalExamples })).status).toBe(200);
    const send = async (predictions: unknown[]) => expect((await server.request('POST', '/v1/models/pint-acc/predictions', { predictions })).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      await send(gen.predictions(100, { confidence: [0.9, 0.9] }));
      await server.request('GET', '/v1/models/pint-acc/drift');
    }
    for (let i = 0; i < 3; i++) {
      await send([...gen.predictions(30, { confidence: [0.9, 0.9] }), ...gen.newRegion(70, 0)]);
      await server.request('GET', '/v1/models/pint-acc/drift');
    }
    const items = await claim(server, 'pint-acc', 'ana', 40);
    await label(server, 'pint-acc', items.map((i) => ({ itemId: i.itemId, labeler: 'ana', concepts: [], newConcepts: ['porter'] })));
    await server.request('GET', '/v1/models/pint-acc/drift');
  });
  afterAll(() => server.stop());

  it('when the report is read, then it charts the estimate over time with its band, the reference lines and the labeled points', async () => {
    const json = (await server.request('GET', '/v1/models/pint-acc/report?format=json')).body;
    const estimates = json.drift.history.filter((h: { performance: unknown }) => h.performance !== null);
    expect(estimates.length).toBeGreaterThanOrEqual(7);
    expect(estimates.at(-1).performance.labeled.n).toBeGreaterThan(0);
    const res = await server.request('GET', '/ui/models/pint-acc/report');
    expect(res.status).toBe(200);
    const page = String(res.body);
    const section = page.slice(page.indexOf('id="estimated-accuracy"'));
    expect(section).toContain('Estimated accuracy');
    expect(section).toMatch(/<polygon points="[^"]+" fill="#0d9488" fill-opacity/);
    expect(section).toMatch(/eval reference \d+\.\d%/);
    expect(section).toMatch(/reference − 5%/);
    expect(section).toMatch(/<path d="M[^"]+" fill="#7c3aed"><title>\d+ labels, raw accuracy 0\.0%/);
    expect(section).toContain('below the reference by more than 5%');
  });

  it('when the dashboard is read, then each model shows its current estimate and its trend', async () => {
    const res = await server.request('GET', '/');
    expect(res.status).toBe(200);
    const page = String(res.body);
    const row = page.slice(page.indexOf('pint-acc'));
    expect(row).toMatch(/est\. accuracy \d+\.\d%/);
    expect(row).toMatch(/▼ \d+\.\d pts/);
  });
});
