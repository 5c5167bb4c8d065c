import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/auth/api-keys.service.js';
import { SESSIONS_PER_KEY } from '../../src/auth/sessions.service.js';
import { ManualClock } from '../support/clock.js';
import { sendRaw } from '../support/raw-http.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe('sessions a key keeps', () => {
  // A millisecond between sign-ins, so which session is the oldest is never a tie.
  const clock = new ManualClock(Date.parse('2026-12-02T00:00:00Z'));
  let server: TestServer;
  const keys = { ann: '', bob: '' };

  beforeAll(async () => {
    server = await startTestServer({ clock, env: { DRIFTLOOP_ADMIN_KEY: 'sessions-per-key-admin-0123456789' } });
    keys.ann = (await server.driftloop.services.keys.create('label', 'ann')).key;
    keys.bob = (await server.driftloop.services.keys.create('label', 'bob')).key;
  });
  afterAll(() => server?.stop());

  const sessionsOf = async (key: string) =>
    Number((await server.driftloop.services.database.db.selectFrom('sessions').select((e) => e.fn.countAll().as('n')).where('key_hash', '=', hashKey(key)).executeTakeFirstOrThrow()).n);
  async function signIn(key: string): Promise<string> {
    await clock.advance(1);
    const res = await sendRaw(server.url, 'POST', '/ui/sign-in', { 'content-type': 'application/x-www-form-urlencoded' }, `key=${encodeURIComponent(key)}`);
    expect(res.status).toBe(303);
    return res.setCookie[0]!.split(';')[0]!;
  }
  const home = async (cookie: string) => (await sendRaw(server.url, 'GET', '/ui/label', { cookie })).status;

  it(`when one key signs in again and again, then it keeps its newest ${SESSIONS_PER_KEY} sessions and another key's are untouched`, async () => {
    const bobs = await signIn(keys.bob);
    const anns: string[] = [];
    for (let i = 0; i < SESSIONS_PER_KEY + 6; i++) anns.push(await signIn(keys.ann));
    expect(await sessionsOf(keys.ann)).toBe(SESSIONS_PER_KEY);
    for (const cookie of anns.slice(0, 6)) expect(await home(cookie), 'one of the six oldest').toBe(401);
    for (const cookie of [anns[6]!, anns.at(-1)!]) expect(await home(cookie), 'the oldest kept and the newest').toBe(200);
    expect(await sessionsOf(keys.bob)).toBe(1);
    expect(await home(bobs)).toBe(200);
  });
});
