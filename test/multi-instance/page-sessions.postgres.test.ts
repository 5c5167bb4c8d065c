import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_FRESH_MS, hashKey } from '../../src/auth/api-keys.service.js';
import { SESSIONS_PER_KEY } from '../../src/auth/sessions.service.js';
import { ManualClock } from '../support/clock.js';
import { Dice } from '../support/fuzz.js';
import { sendRaw, type RawAnswer } from '../support/raw-http.js';
import { startTwoInstances, type TestServer, type TwoInstances } from '../support/server.js';

/**
 * Browser sessions on two instances of one PostgreSQL database: a session and its CSRF token
 * minted on one work on the other exactly as where they were minted, and once stale (signed out,
 * expired, their key revoked) or forged they are refused by both. Sign-ins race sign-outs of the
 * same key's session across the instances. Never a 5xx, a refused session never sees a page's
 * data, and afterwards both instances answer every session the same.
 *
 * DRIFTLOOP_FUZZ_SEEDS="1,2,3" and DRIFTLOOP_FUZZ_REQUESTS=100 run a longer search by hand.
 */
const SEEDS = (process.env.DRIFTLOOP_FUZZ_SEEDS ?? '20261201').split(',').map(Number);
const ROUNDS = Number(process.env.DRIFTLOOP_FUZZ_REQUESTS ?? 30);
const ADMIN = 'page-sessions-admin-key-0123456789';
/** A model name only a signed-in page shows (the labeler's home lists the models). */
const PRIVATE = 'private-marker-model';
const TTL_SECONDS = 600;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** What one instance answers a session: the labeler's home and the sign-out form's token. */
interface View {
  home: number;
  shows: boolean;
  csrf: string | undefined;
}

describe.each(SEEDS)('page sessions across two instances on one PostgreSQL database, seed %i', (seed) => {
  // One clock for both: a session expires, and a revocation elsewhere takes effect, when the test says.
  const clock = new ManualClock(Date.parse('2026-12-02T00:00:00Z'));
  let a: TestServer;
  let b: TestServer;
  const keys = { ann: '', bob: '', old: '' };
  let oldId = 0;

  const sessions = async () => Number((await a.driftloop.services.database.db.selectFrom('sessions').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const expectNo5xx = (res: RawAnswer, context: string) => expect(res.status, `${context}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  const cookieOf = (res: RawAnswer) => res.setCookie.find((c) => /^driftloop_session=[^;]/.test(c))?.split(';')[0];

  async function signIn(on: TestServer, key: string, next = ''): Promise<RawAnswer> {
    return sendRaw(on.url, 'POST', '/ui/sign-in', FORM, `key=${encodeURIComponent(key)}&next=${encodeURIComponent(next)}`);
  }
  async function session(on: TestServer, key: string): Promise<string> {
    const res = await signIn(on, key);
    expect(res.status).toBe(303);
    return cookieOf(res)!;
  }
  function signOut(on: TestServer, cookie: string, csrf: string): Promise<RawAnswer> {
    return sendRaw(on.url, 'POST', '/ui/sign-out', { ...FORM, cookie }, `csrf=${encodeURIComponent(csrf)}`);
  }
  async function view(on: TestServer, cookie: string): Promise<View> {
    const home = await sendRaw(on.url, 'GET', '/ui/label', { cookie });
    const form = await sendRaw(on.url, 'GET', '/ui/sign-out', { cookie });
    expectNo5xx(home, 'GET /ui/label');
    expectNo5xx(form, 'GET /ui/sign-out');
    return { home: home.status, shows: home.text.includes(PRIVATE), csrf: /name="csrf" value="([^"]+)"/.exec(form.text)?.[1] };
  }
  /** The view of a session from both instances, which must agree. */
  async function both(cookie: string, context: string): Promise<View> {
    const [onA, onB] = [await view(a, cookie), await view(b, cookie)];
    expect(onB, `${context}: B answers as A`).toEqual(onA);
    return onA;
  }
  const live = (v: View) => v.home === 200 && v.shows && v.csrf !== undefined;
  const refused = (v: View) => v.home === 401 && !v.shows && v.csrf === undefined;

  let instances: TwoInstances | undefined;

  beforeAll(async () => {
    instances = await startTwoInstances({
      clocks: [clock, clock],
      env: { DRIFTLOOP_ADMIN_KEY: ADMIN },
      limits: { sessionTtlSeconds: TTL_SECONDS },
      beforeB: async (a) => {
        expect((await a.request('PUT', `/v1/models/${PRIVATE}`, { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }] }, ADMIN)).status).toBe(201);
        const k = a.driftloop.services.keys;
        keys.ann = (await k.create('label', 'ann')).key;
        keys.bob = (await k.create('label', 'bob')).key;
        const old = await k.create('label', 'old');
        keys.old = old.key;
        oldId = old.info.id;
      },
    });
    ({ a, b } = instances);
  });
  afterAll(() => instances?.stop());

  it('when a session and its form token are minted on A, then B serves them as A does, and a sign-out on B ends it on both', async () => {
    const cookie = await session(a, keys.ann);
    const seen = await both(cookie, 'a session made on A');
    expect(live(seen), JSON.stringify(seen)).toBe(true);
    const before = await sessions();
    const out = await signOut(b, cookie, seen.csrf!);
    expect(out.status, out.text.slice(0, 300)).toBe(303);
    expect(out.setCookie.some((c) => /^driftloop_session=;/.test(c))).toBe(true);
    expect(await sessions()).toBe(before - 1);
    expect(refused(await both(cookie, 'signed out on B')), 'signed out on B').toBe(true);
    // The stale form cannot sign anything out again, on either instance.
    for (const on of [a, b]) expect((await signOut(on, cookie, seen.csrf!)).status).toBe(401);
    expect(await sessions()).toBe(before - 1);
  });

  it('when a sign-out on A ends a session made on B, then B refuses it at once and another session of the key lives on', async () => {
    const made = await session(b, keys.ann);
    const other = await session(a, keys.ann);
    const { csrf } = await both(made, 'a session made on B');
    expect((await signOut(a, made, csrf!)).status).toBe(303);
    expect(refused(await both(made, 'signed out on A')), 'signed out on A').toBe(true);
    expect(live(await both(other, 'the other session')), 'the other session').toBe(true);
  });

  it("when a labeler's session made on A calls the API on B, then it acts as that labeler there, is refused from another site, and stops once signed out on A", async () => {
    const cookie = await session(a, keys.ann);
    const claim = (on: TestServer, labeler: string, extra: Record<string, string> = {}) =>
      sendRaw(on.url, 'POST', `/v1/models/${PRIVATE}/queue/claim`, { 'content-type': 'application/json', cookie, ...extra }, JSON.stringify({ labeler, limit: 1 }));
    for (const on of [a, b]) {
      const where = on === a ? 'A' : 'B';
      expect((await claim(on, 'ann')).status, `ann's claim on ${where}`).toBe(200);
      expect((await claim(on, 'bob')).status, `a claim as bob with ann's session on ${where}`).toBe(403);
      expect((await claim(on, 'ann', { origin: 'http://evil.example' })).status, `from another site on ${where}`).toBe(403);
    }
    const { csrf } = await both(cookie, 'before sign-out');
    expect((await signOut(a, cookie, csrf!)).status).toBe(303);
    for (const on of [b, a]) {
      const res = await claim(on, 'ann');
      expect(res.status, `after sign-out, on ${on === a ? 'A' : 'B'}`).toBe(401);
      expect(res.text).not.toContain(PRIVATE);
    }
  });

  it('when tokens and cookies are stale, crossed or forged, then both instances refuse them and change nothing', async () => {
    const mine = await session(a, keys.ann);
    const theirs = await session(b, keys.bob);
    const csrfMine = (await both(mine, 'mine')).csrf!;
    const csrfTheirs = (await both(theirs, 'theirs')).csrf!;
    expect(csrfTheirs).not.toBe(csrfMine);
    const before = await sessions();
    const flip = (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A');
    const tokens = [csrfTheirs, flip(csrfMine), csrfMine.toUpperCase() === csrfMine ? csrfMine.toLowerCase() : csrfMine.toUpperCase(), csrfMine + 'x', '', '%00', csrfMine.slice(1)];
    for (const on of [a, b]) {
      for (const token of tokens) {
        const res = await signOut(on, mine, token);
        expect([400, 403], `token ${JSON.stringify(token)} on ${on === a ? 'A' : 'B'}: ${res.status}`).toContain(res.status);
        expect(cookieOf(res)).toBeUndefined();
      }
    }
    const value = mine.slice('driftloop_session='.length);
    const forged = [
      `driftloop_session=${createHash('sha256').update(value).digest('hex')}`, // the stored hash is not the cookie
      `driftloop_session=${flip(value)}`,
      `driftloop_session=${value}${value}`,
      `driftloop_session=${value.slice(0, -2)}`,
      `driftloop_session=${value.toUpperCase()}`,
    ];
    for (const cookie of forged) expect(refused(await both(cookie, `forged ${cookie.slice(0, 40)}`)), cookie).toBe(true);
    expect(await sessions()).toBe(before);
    expect(live(await both(mine, 'mine after the forgeries'))).toBe(true);
    expect(live(await both(theirs, 'theirs after the forgeries'))).toBe(true);
  });

  it('when a session expires, then both instances refuse it, whichever asks first', async () => {
    const early = await session(b, keys.ann);
    expect(live(await both(early, 'before expiry'))).toBe(true);
    await clock.advance(TTL_SECONDS * 1000 / 2);
    const late = await session(a, keys.ann);
    await clock.advance(TTL_SECONDS * 1000 / 2);
    expect(refused(await both(early, 'expired')), 'the first session has expired').toBe(true);
    expect(live(await both(late, 'half its time left')), 'the later one has not').toBe(true);
    const row = await a.driftloop.services.database.db.selectFrom('sessions').select('id_hash').where('id_hash', '=', createHash('sha256').update(early.slice('driftloop_session='.length)).digest('hex')).executeTakeFirst();
    expect(row, 'an expired session seen is deleted').toBeUndefined();
  });

  it('when a key is revoked on A, then its sessions made on B and B\'s sign-ins with it are refused once the key freshness window has passed', async () => {
    const made = await session(b, keys.old);
    expect(live(await both(made, 'before revocation'))).toBe(true);
    expect(await a.driftloop.services.keys.revoke(oldId)).toBe(true);
    expect(refused(await view(a, made)), 'A, which revoked it, refuses at once').toBe(true);
    await clock.advance(AUTH_FRESH_MS);
    expect(refused(await both(made, 'revoked on A')), 'revoked on A').toBe(true);
    const before = await sessions();
    for (const on of [a, b]) {
      const res = await signIn(on, keys.old, '/ui/label');
      expect(res.status).toBe(401);
      expect(cookieOf(res)).toBeUndefined();
      expect(res.text).not.toContain(PRIVATE);
    }
    expect(await sessions()).toBe(before);
  });

  it(`when one key signs in past its ${SESSIONS_PER_KEY} sessions on both instances at once, then it keeps ${SESSIONS_PER_KEY}, the oldest refused and the newest live on both`, async () => {
    const keyHash = hashKey(keys.bob);
    const bobs = async () => Number((await a.driftloop.services.database.db.selectFrom('sessions').select((e) => e.fn.countAll().as('n')).where('key_hash', '=', keyHash).executeTakeFirstOrThrow()).n);
    const cookies: string[] = [];
    for (let pair = 0; pair < SESSIONS_PER_KEY / 2 + 4; pair++) {
      await clock.advance(1);
      const both = await Promise.all([signIn(a, keys.bob), signIn(b, keys.bob)]);
      for (const res of both) {
        expect(res.status).toBe(303);
        cookies.push(cookieOf(res)!);
      }
    }
    expect(await bobs()).toBe(SESSIONS_PER_KEY);
    expect(refused(await both(cookies[0]!, 'the oldest')), 'the oldest').toBe(true);
    expect(live(await both(cookies.at(-1)!, 'the newest')), 'the newest').toBe(true);
  });

  it(`when sign-ins race sign-outs of the same key's session across the instances (${ROUNDS} seeded rounds), then one session ends, the new one lives, and both agree`, async () => {
    const dice = new Dice(seed);
    const nexts = ['', '/ui/label', '//evil.example', '/\\evil.example', '/%00', 'https://evil.example/', '/ui/sign-out', `/ui/models/${PRIVATE}/label?x=1`, '/' + 'x'.repeat(3000)];
    let current = await session(a, keys.ann);
    for (let round = 0; round < ROUNDS; round++) {
      const [x, y] = dice.chance(0.5) ? [a, b] : [b, a];
      const { csrf } = await both(current, `round ${round}: the session before`);
      const next = dice.pick(nexts);
      const before = await sessions();
      // At once: its sign-out on one instance, a sign-in with the same key on the other, and maybe a second sign-out and a page read.
      const extra = dice.int(3);
      const requests: Promise<RawAnswer>[] = [signOut(x, current, csrf!), signIn(y, keys.ann, next)];
      if (extra === 1) requests.push(signOut(y, current, csrf!));
      if (extra === 2) requests.push(sendRaw(y.url, 'GET', '/ui/label', { cookie: current }));
      const [out, signedIn, third] = await Promise.all(requests);
      const context = `seed ${seed} round ${round} (sign-out on ${x === a ? 'A' : 'B'}, next ${JSON.stringify(next.slice(0, 40))}, extra ${extra})`;
      for (const res of [out!, signedIn!, ...(third ? [third] : [])]) expectNo5xx(res, context);
      expect(signedIn!.status, context).toBe(303);
      expect(signedIn!.location, context).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/);
      const fresh = cookieOf(signedIn!);
      expect(fresh, context).toBeDefined();
      // One of the two sign-outs ends it; a second one finds no session (401) or ends it as well.
      const outs = extra === 1 ? [out!, third!] : [out!];
      expect(outs.some((o) => o.status === 303), `${context}: ${outs.map((o) => o.status)}`).toBe(true);
      for (const o of outs) expect([303, 401], context).toContain(o.status);
      if (extra === 2) expect([200, 401], context).toContain(third!.status);
      expect(refused(await both(current, `${context}: the old session`)), `${context}: the old session`).toBe(true);
      expect(live(await both(fresh!, `${context}: the new session`)), `${context}: the new session`).toBe(true);
      expect(await sessions(), context).toBe(before);
      current = fresh!;
    }
  });
});
