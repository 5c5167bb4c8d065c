import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dice } from '../support/fuzz.js';
import { databaseUrlFor } from '../support/database.js';
import { sendRaw as send } from '../support/raw-http.js';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.js';

/**
 * A seeded fuzz of the HTML pages and the sign-in form: odd path segments and query values, odd
 * cookies and keys, broken urlencoded and multipart forms, stale CSRF tokens, other sites'
 * Origins. Requests go out through node:http so a path reaches the server byte for byte (fetch
 * would resolve `..` first). Whatever comes back must not be a 5xx, a signed-out client must
 * never see a page's data, a refused sign-in must open no session, and /healthz must answer.
 *
 * On PostgreSQL a second instance serves the same database and the requests alternate between
 * the two, so sessions and CSRF tokens minted on one are used, refused and ended on the other;
 * afterwards both must answer every session the same.
 *
 * DRIFTLOOP_FUZZ_SEEDS="1,2,3" and DRIFTLOOP_FUZZ_REQUESTS=1000 run a longer search by hand.
 */
const SEEDS = (process.env.DRIFTLOOP_FUZZ_SEEDS ?? '20261201').split(',').map(Number);
const REQUESTS = Number(process.env.DRIFTLOOP_FUZZ_REQUESTS ?? 250);
const ADMIN = 'page-fuzz-bootstrap-admin-key-0123456789';
/** A model name only a page's data can show (the sign-in page echoes the path it was asked for, never this). */
const PRIVATE = 'private-marker-model';

const SEGMENTS = [
  '%00', 'a%00b', '%01', '%1f', '%7f', '%0d%0a', '%09', '%2F', '%2f..%2f', '..', '%2e%2e', '%2e', '.', '..%2f..%2fv1', '%5c', '%c0%ae', '%ff', '%', '%zz',
  'x'.repeat(5000), encodeURIComponent('😀'), encodeURIComponent('\u202e'), encodeURIComponent('\ufeff'), encodeURIComponent('\u200b'), '%ed%a0%80', '__proto__',
  'constructor', 'a%20b', ';', 'a%3Fb', '%23', 'M', 'm', PRIVATE,
];
const QUERY_VALUES = ['', '%00', '%0d%0a', '//evil.example', '/\\evil.example', 'https://evil.example/', '/ui/sign-in', '/%00', 'javascript:alert(1)', '%ff', 'x'.repeat(3000), '/v1/models', '..%2f..'];
const KEY_TEXTS = ['', ' ', 'dl_' + 'z'.repeat(40), 'x'.repeat(600), 'a%00b', '%00', '%ff%fe', encodeURIComponent('😀'), '%E2%80%AE', '__proto__'];

type Who = 'none' | 'session' | 'admin-session' | 'garbage-cookie' | 'huge-cookie' | 'latin1-cookie' | 'two-cookies' | 'revoked-session' | 'admin-key' | 'label-key' | 'ingest-key' | 'bad-key';
const SIGNED_OUT: ReadonlySet<Who> = new Set(['none', 'garbage-cookie', 'huge-cookie', 'latin1-cookie', 'revoked-session', 'bad-key']);

describe.each(SEEDS)('HTML pages and the sign-in form, fuzzed, seed %i', (seed) => {
  let server: TestServer;
  /** On PostgreSQL, another instance on the same database. */
  let second: TestServer | undefined;
  const keys: { label: string; ingest: string; revoked: string } = { label: '', ingest: '', revoked: '' };
  const cookies: { label: string; admin: string; revoked: string } = { label: '', admin: '', revoked: '' };
  let csrf = '';

  const sessions = async () => Number((await server.driftloop.services.database.db.selectFrom('sessions').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  async function signIn(key: string, on: TestServer = server): Promise<string> {
    const res = await send(on.url, 'POST', '/ui/sign-in', { 'content-type': 'application/x-www-form-urlencoded' }, `key=${encodeURIComponent(key)}`);
    expect(res.status).toBe(303);
    return res.setCookie[0]!.split(';')[0]!;
  }

  beforeAll(async () => {
    server = await startTestServer({ env: { DRIFTLOOP_ADMIN_KEY: ADMIN } });
    const k = server.driftloop.services.keys;
    keys.label = (await k.create('label', 'ann')).key;
    keys.ingest = (await k.create('ingest', 'app')).key;
    const old = await k.create('label', 'old');
    keys.revoked = old.key;
    for (const name of ['m', PRIVATE]) {
      expect((await server.request('PUT', `/v1/models/${name}`, { task: 'multiclass', embeddingDim: 2, concepts: [{ id: 'a' }, { id: 'b' }] }, ADMIN)).status).toBe(201);
    }
    const examples = Array.from({ length: 8 }, (_, i) => ({ id: `e-${i}`, embedding: [i % 2, 1 - (i % 2)], concepts: [i % 2 ? 'a' : 'b'] }));
    expect((await server.request('POST', '/v1/models/m/examples', { examples }, ADMIN)).status).toBe(200);
    const predictions = Array.from({ length: 8 }, (_, i) => ({ id: `p-${i}`, embedding: [1, i / 8], scores: { a: 0.5, b: 0.5 } }));
    expect((await server.request('POST', '/v1/models/m/predictions', { predictions }, ADMIN)).status).toBe(200);
    cookies.label = await signIn(keys.label);
    cookies.admin = await signIn(ADMIN);
    cookies.revoked = await signIn(old.key);
    await k.revoke(old.info.id);
    const signOut = await send(server.url, 'GET', '/ui/sign-out', { cookie: cookies.label });
    csrf = /name="csrf" value="([^"]+)"/.exec(signOut.text)![1]!;
    const url = await databaseUrlFor(server.dataDir);
    if (url) second = await startTestServer({ dataDir: tempDataDir(), env: { DRIFTLOOP_ADMIN_KEY: ADMIN, DRIFTLOOP_DATABASE_URL: url } });
  });
  afterAll(async () => {
    await second?.stop();
    await server?.stop();
  });

  /** What each instance answers a session: its sign-out form's status and token, and the dashboard's status. */
  async function sessionView(on: TestServer, cookie: string) {
    const form = await send(on.url, 'GET', '/ui/sign-out', { cookie });
    const home = await send(on.url, 'GET', '/', { cookie });
    return { signOut: form.status, csrf: /name="csrf" value="([^"]+)"/.exec(form.text)?.[1], home: home.status, shows: home.text.includes(PRIVATE) };
  }

  function credentials(who: Who): Record<string, string> {
    switch (who) {
      case 'none': return {};
      case 'session': return { cookie: cookies.label };
      case 'admin-session': return { cookie: cookies.admin };
      case 'garbage-cookie': return { cookie: 'driftloop_session=' + 'A'.repeat(43) };
      case 'huge-cookie': return { cookie: 'driftloop_session=' + 'B'.repeat(12_000) };
      case 'latin1-cookie': return { cookie: 'driftloop_session=\u00ff\u00fe%00; other=\u00e9' };
      case 'two-cookies': return { cookie: `driftloop_session=; ${cookies.label}; driftloop_session=nope` };
      case 'revoked-session': return { cookie: cookies.revoked };
      case 'admin-key': return { authorization: `Bearer ${ADMIN}` };
      case 'label-key': return { authorization: `Bearer ${keys.label}` };
      case 'ingest-key': return { authorization: `Bearer ${keys.ingest}` };
      case 'bad-key': return { authorization: dice0.pick(['Bearer dl_nope', 'Bearer', 'Basic Zm9vOmJhcg==', 'Bearer \u00ff']) };
    }
  }
  const dice0 = new Dice(seed + 1);

  function pagePath(dice: Dice): { path: string; page: string } {
    const segment = () => (dice.chance(0.6) ? dice.pick(SEGMENTS) : dice.pick(['m', PRIVATE]));
    const page = dice.pick(['/', '/ui/models/{m}/label', '/ui/models/{m}/report', '/ui/sign-in', '/ui/label', '/ui/sign-out', '/docs', '/docs/assets/{m}', '/ui/models/{m}/{m}', '/ui/{m}']);
    let path = page.replace(/\{m\}/g, segment);
    if (dice.chance(0.4)) path += `?${dice.pick(['next', 'model', 'x', 'next', '%00'])}=${dice.pick(QUERY_VALUES)}`;
    if (dice.chance(0.1)) path += dice.pick(['/', '//', '/..', '/%2e%2e/', '#frag']);
    return { path, page };
  }

  /** A sign-in body: urlencoded or multipart, well formed or not, with any key. */
  function signInBody(dice: Dice): { body: Buffer | string; type: string | undefined; what: string } {
    const key = dice.pick([keys.label, ADMIN, keys.revoked, keys.ingest, ...KEY_TEXTS]);
    const next = dice.pick(['', ...QUERY_VALUES]);
    switch (dice.int(8)) {
      case 0:
        return { body: `key=${encodeURIComponent(key)}&next=${next}`, type: 'application/x-www-form-urlencoded', what: 'urlencoded' };
      case 1:
        return { body: dice.pick(['key', 'key=', '=x', '&&&', '%', 'key=%zz', 'key=a&key=b', `key[]=${encodeURIComponent(key)}`, `KEY=${encodeURIComponent(key)}`, 'a'.repeat(9000)]), type: 'application/x-www-form-urlencoded', what: 'odd urlencoded' };
      case 2: {
        const b = 'XyZ';
        return { body: `--${b}\r\ncontent-disposition: form-data; name="key"\r\n\r\n${key}\r\n--${b}--\r\n`, type: `multipart/form-data; boundary=${b}`, what: 'multipart' };
      }
      case 3:
        return {
          body: dice.pick(['--x\r\n', '--x\r\ncontent-disposition: form-data; name="key"\r\n\r\nabc', 'no boundary here', '--x--', '--x\r\ncontent-disposition: form-data; name="key"; filename="k.txt"\r\ncontent-type: text/plain\r\n\r\nabc\r\n--x--\r\n', '\u0000\u0000']),
          type: dice.pick(['multipart/form-data; boundary=x', 'multipart/form-data', 'multipart/form-data; boundary=', 'multipart/mixed; boundary=x']),
          what: 'broken multipart',
        };
      case 4:
        return { body: JSON.stringify({ key }), type: 'application/json', what: 'JSON' };
      case 5:
        return { body: `key=${encodeURIComponent(key)}`, type: dice.pick(['text/plain', undefined, 'application/x-www-form-urlencoded; charset=latin1', '*/*', 'application/x-www-form-urlencodedx']), what: 'other type' };
      case 6:
        return { body: Buffer.from([0xff, 0xfe, 0x00, 0x6b, 0x3d, 0xc3]), type: 'application/x-www-form-urlencoded', what: 'bytes' };
      default:
        return { body: '', type: 'application/x-www-form-urlencoded', what: 'empty' };
    }
  }

  it(`when ${REQUESTS} odd page and form requests arrive, then none answers 5xx, no signed-out client sees data, no refused sign-in opens a session, and the service stays up`, async () => {
    const dice = new Dice(seed);
    const whos: Who[] = ['none', 'none', 'session', 'admin-session', 'garbage-cookie', 'huge-cookie', 'latin1-cookie', 'two-cookies', 'revoked-session', 'admin-key', 'label-key', 'ingest-key', 'bad-key'];
    const tally: Record<string, number> = {};
    for (let n = 0; n < REQUESTS; n++) {
      const on = second && n % 2 ? second : server;
      const who = dice.pick(whos);
      const headers: Record<string, string> = { ...credentials(who) };
      const what: string[] = [who];
      if (second) what.push(on === second ? 'to B' : 'to A');
      if (dice.chance(0.15)) {
        headers.origin = dice.pick(['http://evil.example', 'null', 'http://127.0.0.1:1']);
        what.push(`origin ${headers.origin}`);
      }
      if (dice.chance(0.05)) headers['sec-fetch-site'] = 'cross-site';
      let method = 'GET';
      let path: string;
      let page: string;
      let body: Buffer | string | undefined;
      const roll = dice.int(10);
      if (roll < 5) {
        ({ path, page } = pagePath(dice));
        if (dice.chance(0.05)) method = dice.pick(['HEAD', 'PUT', 'DELETE', 'OPTIONS']);
      } else if (roll < 9) {
        page = '/ui/sign-in';
        path = dice.chance(0.8) ? '/ui/sign-in' : `/ui/sign-in?next=${dice.pick(QUERY_VALUES)}`;
        method = 'POST';
        const form = signInBody(dice);
        body = form.body;
        if (form.type) headers['content-type'] = form.type;
        what.push(form.what);
      } else {
        page = '/ui/sign-out';
        path = '/ui/sign-out';
        method = 'POST';
        const token = dice.pick([csrf, '', 'x', csrf + 'x', csrf.toUpperCase(), '%00', 'a'.repeat(300)]);
        body = dice.chance(0.8) ? `csrf=${encodeURIComponent(token)}` : `--x\r\ncontent-disposition: form-data; name="csrf"\r\n\r\n${token}`;
        headers['content-type'] = body.startsWith('--') ? 'multipart/form-data; boundary=x' : 'application/x-www-form-urlencoded';
        what.push(token === csrf ? 'right csrf' : 'wrong csrf');
      }
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const before = await sessions();
      const res = await send(on.url, method, path, headers, body);
      const context = `seed ${seed} request ${n}: ${method} ${path.slice(0, 120)} [${what.join('; ')}] → ${res.status} ${res.text.slice(0, 300)}`;
      tally[res.status] = (tally[res.status] ?? 0) + 1;
      expect(res.status, context).toBeLessThan(500);
      if (SIGNED_OUT.has(who)) {
        if (!path.includes(PRIVATE)) expect(res.text, context).not.toContain(PRIVATE);
        if (page !== '/ui/sign-in' && page !== '/docs' && page !== '/docs/assets/{m}') expect(res.status, context).toBeGreaterThanOrEqual(300);
      }
      const after = await sessions();
      const signedIn = method === 'POST' && page === '/ui/sign-in' && res.status === 303;
      if (!signedIn) {
        // A refused sign-in opens nothing; only a right CSRF token with its own session signs out.
        expect(res.setCookie.filter((c) => /^driftloop_session=[^;]/.test(c)), context).toEqual([]);
        if (!(page === '/ui/sign-out' && method === 'POST' && res.status === 303)) expect(after, context).toBe(before);
      } else {
        expect(after, context).toBe(before + 1);
      }
      if (page === '/ui/sign-out' && method === 'POST' && res.status === 303 && after < before) {
        // The fuzz signed ann out: sign in again (on the other instance when there are two), with the new form token.
        const other = second && on === server ? second : server;
        cookies.label = await signIn(keys.label, other);
        csrf = /name="csrf" value="([^"]+)"/.exec((await send(on.url, 'GET', '/ui/sign-out', { cookie: cookies.label })).text)![1]!;
      }
      for (const instance of second ? [server, second] : [server]) expect((await send(instance.url, 'GET', '/healthz', {})).status, `after ${context}`).toBe(200);
    }
    if (second) {
      const probes = { ...cookies, garbage: 'driftloop_session=' + 'A'.repeat(43) };
      for (const [name, cookie] of Object.entries(probes)) expect(await sessionView(second, cookie), `both instances after the fuzz: ${name}`).toEqual(await sessionView(server, cookie));
      expect((await sessionView(server, cookies.admin)).shows, 'the admin session outlives the fuzz').toBe(true);
    }
    expect(Object.keys(tally).filter((s) => s.startsWith('2')).length, JSON.stringify(tally)).toBeGreaterThan(0);
    expect(Object.keys(tally).filter((s) => s.startsWith('4')).length, JSON.stringify(tally)).toBeGreaterThanOrEqual(4);
    console.info(`page fuzz seed ${seed}: ${REQUESTS} requests, statuses ${JSON.stringify(tally)}`);
  });
});
