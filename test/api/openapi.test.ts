import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

interface Schema {
  $ref?: string;
  description?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  example?: unknown;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  description?: string;
  required?: boolean;
  example?: unknown;
  schema?: Schema;
}
interface Operation {
  tags?: string[];
  description?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: Schema; example?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
interface Doc {
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
// The writes that make the other examples meaningful come first: the model, then its data.
const FIRST = ['put /v1/models/{model}', 'post /v1/models/{model}/examples', 'post /v1/models/{model}/predictions'];
// Examples that must succeed outright; the rest may answer another documented status (an example id that does not exist yet).
const MUST_SUCCEED = [
  ...FIRST,
  'get /v1/models',
  'get /v1/models/{model}',
  'get /v1/models/{model}/drift',
  'get /v1/models/{model}/report',
  'get /v1/models/{model}/health',
  'get /v1/models/{model}/versions',
  'get /v1/models/{model}/queue',
  'post /v1/models/{model}/queue/claim',
  'post /v1/models/{model}/queue/items/{itemId}/renew',
  'get /v1/models/{model}/queue/items/{itemId}/similar',
  'post /v1/models/{model}/labels',
  'post /v1/models/{model}/labels/retract',
  'get /v1/models/{model}/regions',
  'post /v1/models/{model}/retrain',
  'get /v1/webhooks/deliveries',
  'get /healthz',
  'get /metrics',
];

function operations(doc: Doc): { key: string; method: string; path: string; op: Operation }[] {
  const all = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ key: `${method} ${path}`, method, path, op })),
  );
  const rank = (k: string) => (FIRST.includes(k) ? FIRST.indexOf(k) : FIRST.length);
  return all.sort((a, b) => rank(a.key) - rank(b.key));
}

/** Every property below `schema` that has no description, by its path; a $ref counts as described when its target is. */
function undescribed(doc: Doc, schema: Schema | undefined, at: string, seen = new Set<string>()): string[] {
  if (!schema) return [];
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    if (seen.has(name)) return [];
    seen.add(name);
    return undescribed(doc, doc.components.schemas[name], name, seen);
  }
  // A description may sit on the property, on the schema a $ref names, or beside the $ref in an allOf.
  const described = (s: Schema): boolean =>
    Boolean(s.description) || Boolean(s.$ref && doc.components.schemas[s.$ref.replace('#/components/schemas/', '')]?.description) || (s.allOf ?? []).some(described);
  const out: string[] = [];
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    if (!described(prop)) out.push(`${at}.${name}`);
    out.push(...undescribed(doc, prop, `${at}.${name}`, seen));
  }
  if (schema.items) out.push(...undescribed(doc, schema.items, `${at}[]`, seen));
  if (typeof schema.additionalProperties === 'object') out.push(...undescribed(doc, schema.additionalProperties, `${at}{}`, seen));
  for (const list of [schema.anyOf, schema.oneOf, schema.allOf]) (list ?? []).forEach((s, i) => out.push(...undescribed(doc, s, `${at}|${i}`, seen)));
  return out;
}

describe('the OpenAPI document', () => {
  let server: TestServer;
  let doc: Doc;
  beforeAll(async () => {
    server = await startTestServer();
    doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as Doc;
  });
  afterAll(() => server.stop());

  it('when /openapi.json is read, then every operation has a declared tag, and /healthz and /metrics are documented', () => {
    const tags = new Set(doc.tags.map((t) => t.name));
    for (const { key, op } of operations(doc)) {
      expect(op.tags?.length, key).toBeGreaterThan(0);
      for (const t of op.tags!) expect(tags.has(t), `${key}: tag ${t}`).toBe(true);
    }
    expect(doc.paths['/healthz']?.get).toBeDefined();
    expect(doc.paths['/metrics']?.get?.responses['200']?.content).toHaveProperty('text/plain');
  });

  it('when the schemas are walked, then every property and parameter has a description', () => {
    const missing = new Set<string>();
    for (const [name, schema] of Object.entries(doc.components.schemas)) for (const m of undescribed(doc, schema, name)) missing.add(m);
    for (const { key, op } of operations(doc)) {
      for (const p of op.parameters ?? []) if (!p.description) missing.add(`${key} parameter ${p.name}`);
      for (const media of Object.values(op.requestBody?.content ?? {})) for (const m of undescribed(doc, media.schema, `${key} body`)) missing.add(m);
      for (const [status, r] of Object.entries(op.responses)) for (const media of Object.values(r.content ?? {})) for (const m of undescribed(doc, media.schema, `${key} ${status}`)) missing.add(m);
    }
    expect([...missing]).toEqual([]);
  });

  it('when docs/contract.md is read, then it lists every operation of the document', () => {
    const contract = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../docs/contract.md'), 'utf8');
    const listed = new Set([...contract.matchAll(/`(GET|PUT|POST|DELETE|PATCH) (\/[^`?\s]*)/g)].map((m) => `${m[1]!.toLowerCase()} ${m[2]}`));
    expect(operations(doc).map((o) => o.key).filter((key) => !listed.has(key))).toEqual([]);
  });

  it('when an error is documented, then its details are typed as the object or the array they are', () => {
    const details = doc.components.schemas['Error']!.properties!['error']!.properties!['details']!;
    const kinds = (details.anyOf ?? details.oneOf ?? []).map((s) => s.type);
    expect(kinds).toContain('object');
    expect(kinds).toContain('array');
  });

  it('when the bulk examples endpoint is documented, then it declares application/x-ndjson beside JSON', () => {
    const body = doc.paths['/v1/models/{model}/examples']!.post!.requestBody!.content;
    expect(Object.keys(body).sort()).toEqual(['application/json', 'application/x-ndjson']);
  });

  it('when every request example is sent to a real server as /docs "Try it out" would, then each gets a 2xx or a documented answer, never a 400 or a 5xx', async () => {
    const answers: Record<string, number> = {};
    for (const { key, method, path, op } of operations(doc)) {
      let url = path;
      const query = new URLSearchParams();
      for (const p of op.parameters ?? []) {
        const example = p.example ?? p.schema?.example;
        if (p.in === 'path') {
          expect(example, `${key}: path parameter ${p.name} has an example`).toBeDefined();
          url = url.replace(`{${p.name}}`, encodeURIComponent(String(example)));
        } else if (p.in === 'query' && example !== undefined) query.set(p.name, String(example));
      }
      const requests: { type?: string; body?: string }[] = [];
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
        const example = media.example ?? media.schema?.example ?? (media.schema?.$ref ? doc.components.schemas[media.schema.$ref.replace('#/components/schemas/', '')]?.example : undefined);
        expect(example, `${key}: ${type} body has an example`).toBeDefined();
        requests.push({ type, body: typeof example === 'string' ? example : JSON.stringify(example) });
      }
      if (requests.length === 0) requests.push({});
      for (const r of requests) {
        const qs = query.size > 0 ? `?${query}` : '';
        const res = await fetch(`${server.url}${url}${qs}`, { method: method.toUpperCase(), headers: r.type ? { 'content-type': r.type } : {}, body: r.body });
        const text = await res.text();
        const label = `${key} (${r.type ?? 'no body'}) → ${res.status} ${text.slice(0, 300)}`;
        answers[`${key} ${r.type ?? ''}`.trim()] = res.status;
        expect(res.status, label).toBeLessThan(500);
        expect([400, 415], label).not.toContain(res.status);
        expect(Object.keys(op.responses), label).toContain(String(res.status));
        if (MUST_SUCCEED.includes(key)) expect(res.ok, label).toBe(true);
      }
    }
    expect(Object.keys(answers).length).toBeGreaterThan(20);
  });

  // Last: creating keys ends open mode for the suite's server.
  it('when an operation says which keys may call it, then an ingest and a label key get exactly that: through, or 403', async () => {
    const keys = { ingest: (await server.driftloop.services.keys.create('ingest', 'app')).key, label: (await server.driftloop.services.keys.create('label', 'ann')).key };
    const checked: string[] = [];
    for (const { key, method, path, op } of operations(doc)) {
      expect(op.description, `${key} says which keys may call it`).toMatch(/^Needs /);
      if (!path.startsWith('/v1/')) continue;
      let url = path;
      for (const p of op.parameters ?? []) if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(String(p.example ?? p.schema?.example)));
      for (const role of ['ingest', 'label'] as const) {
        const allowed = op.description!.includes(`\`${role}\``);
        const res = await fetch(`${server.url}${url}`, { method: method.toUpperCase(), headers: { authorization: `Bearer ${keys[role]}`, 'content-type': 'application/json' }, body: method === 'get' ? undefined : '{}' });
        const text = await res.text();
        const label = `${key} as ${role} → ${res.status} ${text.slice(0, 200)}`;
        if (allowed) expect([401, 403], label).not.toContain(res.status);
        else {
          expect(res.status, label).toBe(403);
          // The refusal names the role the operation needs (an admin-only one: admin).
          expect((JSON.parse(text) as { error: { message: string } }).error.message, label).toMatch(/^This needs the (admin|ingest|label)( or (ingest|label))? role; the key has '(ingest|label)'$/);
        }
        checked.push(`${key} ${role}`);
      }
    }
    expect(checked.length).toBeGreaterThan(40);
  });
});
