import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictionFor, seedModel, type SeededModel } from '../support/fixtures.js';
import { sendRaw } from '../support/raw-http.js';
import { startTestServer, type TestServer } from '../support/server.js';

const MiB = 1024 * 1024;

describe('a body or batch over its limit answers 413 with a message a person reads', () => {
  let server: TestServer;
  let m: SeededModel;
  const predictions = () => `/v1/models/${m.name}/predictions`;

  beforeAll(async () => {
    server = await startTestServer({ limits: { maxBodyBytes: 8 * MiB, maxBatchRecords: 3 } });
    m = await seedModel(server, { dim: 4, clusters: 3, examples: 3 });
  });
  afterAll(() => server.stop());

  it('when the node server reads a body past the limit, then the message gives the limit in MiB and in bytes', async () => {
    const res = await server.request('POST', predictions(), `{"predictions":[],"pad":"${'x'.repeat(8 * MiB)}"}`);
    expect(res.status).toBe(413);
    expect(res.body.error).toEqual({ code: 'payload_too_large', message: 'Request body is over the 8 MiB limit (8,388,608 bytes)' });
  });

  it('when the app itself meets a body past the limit (no node server), then the message is the same', async () => {
    const res = await server.driftloop.app.request(predictions(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', host: '127.0.0.1' },
      body: `{"predictions":[],"pad":"${'x'.repeat(8 * MiB)}"}`,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { code: 'payload_too_large', message: 'Request body is over the 8 MiB limit (8,388,608 bytes)' } });
  });

  it('when a batch holds more records than allowed, then the message names the limit and the count in the same words', async () => {
    const many = Array.from({ length: 4 }, (_, i) => predictionFor(m, `many-${i}`, 0));
    const res = await server.request('POST', predictions(), { predictions: many });
    expect(res.status).toBe(413);
    expect(res.body.error).toEqual({ code: 'payload_too_large', message: 'Batch is over the 3-record limit: it has 4 records' });
  });

  it('when the sign-in form is over its cap, then the message gives the cap in KiB and in bytes', async () => {
    const res = await sendRaw(server.url, 'POST', '/ui/sign-in', { 'content-type': 'application/x-www-form-urlencoded' }, `key=${'k'.repeat(9000)}`);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).error).toEqual({ code: 'payload_too_large', message: 'Form body is over the 8 KiB limit (8,192 bytes), or came without Content-Length' });
  });
});
