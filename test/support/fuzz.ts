/**
 * Schema-driven mutation of JSON request bodies for the HTTP fuzz test. Every choice comes from
 * one seeded PRNG, so a seed names one exact sequence of requests.
 *
 * A mutation either edits the value (guided by the OpenAPI schema of the node it touches: its
 * type, limits, enum and required fields) or edits the serialized text (truncation, a content
 * type, a top-level value of another kind). Raw JSON that no JS value stringifies to (1e400, a
 * lone surrogate escape, 3,000 levels of nesting) is carried through `JSON.stringify` as a marker
 * string and spliced in afterwards.
 */
import { mulberry32 } from '../../src/util/random.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Schema = Record<string, any>;

/** A seeded source of choices. */
export class Dice {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const RAW_MARK = '\u0001raw:';

/** Raw JSON text spliced in where the marker string stands (see {@link serialize}). */
export class RawJson {
  private readonly texts: string[] = [];
  mark(text: string): string {
    this.texts.push(text);
    return `${RAW_MARK}${this.texts.length - 1}`;
  }
  /** JSON text of `value` with every marker replaced by its raw text. */
  serialize(value: unknown): string {
    return JSON.stringify(value).replace(/"\\u0001raw:(\d+)"/g, (_, i: string) => this.texts[Number(i)]!);
  }
}

/** Resolves `$ref` and merges `allOf`, against the document's components. */
export function resolve(schema: Schema | undefined, doc: Schema): Schema {
  if (!schema) return {};
  if (schema.$ref) return resolve(doc.components.schemas[String(schema.$ref).split('/').pop()!], doc);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s: Schema) => resolve(s, doc)));
  return schema;
}

/** The schema of child `key` of a node with schema `schema` (an object property or an array item). */
function childSchema(schema: Schema, key: string | number, doc: Schema): Schema {
  if (typeof key === 'number') return resolve(schema.items, doc);
  const s = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
  const r = resolve(s, doc);
  return r.anyOf ? resolve(r.anyOf[0], doc) : r;
}

interface Node {
  path: (string | number)[];
  schema: Schema;
  value: Json;
}

function nodes(value: Json, schema: Schema, doc: Schema, path: (string | number)[] = [], out: Node[] = []): Node[] {
  out.push({ path, schema, value });
  if (Array.isArray(value)) {
    // A long array (an embedding) is one node and its first two items: enough to reach the item type.
    value.slice(0, 2).forEach((v, i) => nodes(v, childSchema(schema, i, doc), doc, [...path, i], out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) nodes(v, childSchema(schema, k, doc), doc, [...path, k], out);
  }
  return out;
}

const UNICODE_EDGES = [
  '\u0000', 'a\u0000b', '\u202eevil', '\ufeffbom', 'e\u0301\u0301\u0301', '😀'.repeat(50), '\u200b', ' ', '\t\n',
  '../../etc/passwd', '<script>alert(1)</script>', "' or 1=1 --", '%00', '__proto__', 'constructor', '日本語',
];
const NUMBER_TEXTS = ['1e400', '-1e400', '1e-400', '-0', '9007199254740993', '123456789012345678901234567890', '1.7976931348623157e308', '5e-324'];
const NAN_LIKE = ['NaN', 'Infinity', '-Infinity', '1e400', '', '0x10', '1_000', ' 1', 'null', 'true'];

function otherTypes(dice: Dice): Json {
  return dice.pick<Json>([null, true, false, 0, -1, 1.5, 'x', [], {}, [null], { a: 1 }, 'NaN', 'Infinity']);
}

function setAt(root: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  let parent: any = root;
  for (const k of path.slice(0, -1)) parent = parent[k];
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (last === '__proto__') {
    Object.defineProperty(parent, last, { value, enumerable: true, configurable: true, writable: true });
  } else {
    parent[last] = value;
  }
  return root;
}

/** Text `{"a":{"a":…1…}}` nested `depth` times (a JS value that deep could not be stringified). */
export function nestedJson(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/**
 * One value mutation of `body` (a deep copy is changed): picks a node and something its schema
 * says it must not be, or a plain oddity. Returns a short name of what was done, for failure messages.
 */
export function mutateValue(body: Json, schema: Schema, doc: Schema, dice: Dice, raw: RawJson, limits: { maxBatchRecords: number }): { body: Json; what: string } {
  let root = structuredClone(body);
  const all = nodes(root, schema, doc);
  const node = dice.pick(all);
  const at = node.path.join('.') || '(root)';
  const s = node.schema;
  const v = node.value;
  const options: [string, () => Json | undefined][] = [
    ['wrong type', () => otherTypes(dice)],
    ['NaN-like string', () => dice.pick(NAN_LIKE)],
    ['raw number text', () => raw.mark(dice.pick(NUMBER_TEXTS))],
    ['deep nesting', () => raw.mark(nestedJson(dice.pick([64, 512, 3000])))],
  ];
  if (node.path.length > 0) options.push(['removed', () => undefined]);
  if (typeof v === 'string') {
    const max = typeof s.maxLength === 'number' ? s.maxLength : 4096;
    options.push(
      ['string past maxLength', () => 'x'.repeat(Math.min(max + 1, 300_000))],
      ['string at maxLength', () => 'y'.repeat(Math.min(max, 300_000))],
      ['empty string', () => ''],
      ['unicode edge', () => dice.pick(UNICODE_EDGES)],
      ['lone surrogate', () => raw.mark(`"${dice.pick(['\\ud800', 'a\\udfff', '\\udc00\\ud800'])}"`)],
      ['enum violation', () => (s.enum ? `${s.enum[0]}-not` : v.toUpperCase())],
      ['pattern violation', () => dice.pick(['0', '-1', '1.5', 'a b', '9'.repeat(40), '١٢'])],
    );
  }
  if (typeof v === 'number') {
    options.push(
      ['huge number', () => dice.pick([1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 63])],
      ['tiny number', () => dice.pick([5e-324, -5e-324, 1e-300])],
      ['below minimum', () => (typeof s.minimum === 'number' ? s.minimum - 1 : -1)],
      ['above maximum', () => (typeof s.maximum === 'number' ? s.maximum + 1 : 1e9)],
      ['fraction for an integer', () => v + 0.5],
    );
  }
  if (Array.isArray(v)) {
    options.push(
      ['empty array', () => []],
      ['duplicate element', () => (v.length ? [...v, structuredClone(v[0]!)] : [null])],
      ['array of nulls', () => [null, null]],
      ['nested array', () => [v]],
    );
    if (v.length > 0 && typeof v[0] === 'object' && v[0] !== null && !Array.isArray(v[0])) {
      options.push(
        ['at the batch limit', () => copies(v[0]!, limits.maxBatchRecords)],
        ['past the batch limit', () => copies(v[0]!, limits.maxBatchRecords + 1)],
      );
    }
    if (typeof s.maxItems === 'number' && s.maxItems <= 70_000) options.push(['past maxItems', () => Array.from({ length: s.maxItems + 1 }, (_, i) => v[i % Math.max(1, v.length)] ?? 0)]);
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    options.push(
      ['extra field', () => ({ ...v, [dice.pick(['extra', 'nope', 'constructor', 'id2'])]: otherTypes(dice) })],
      ['__proto__ field', () => Object.defineProperty({ ...v }, '__proto__', { value: { polluted: 1 }, enumerable: true })],
      ['empty object', () => ({})],
    );
    for (const req of (s.required ?? []) as string[]) options.push([`missing required ${req}`, () => omit(v, req)]);
  }
  const [name, make] = dice.pick(options);
  root = setAt(root, node.path, make());
  return { body: root, what: `${name} at ${at}` };
}

function omit(v: { [key: string]: Json }, key: string): Json {
  const { [key]: _drop, ...rest } = v;
  return rest;
}

/** `n` copies of a record, each with its own id when it has one. */
function copies(record: Json, n: number): Json[] {
  return Array.from({ length: n }, (_, i) => {
    const c = structuredClone(record) as { [key: string]: Json };
    if (typeof c.id === 'string') c.id = `${c.id}-copy-${i}`;
    return c;
  });
}

/** A text-level mutation of a serialized JSON body, and the content type to send it with. */
export function mutateText(text: string, contentType: string, dice: Dice): { text: string; contentType: string | undefined; what: string } {
  const options: [string, () => { text: string; contentType: string | undefined }][] = [
    ['truncated JSON', () => ({ text: text.slice(0, dice.int(Math.max(1, text.length - 1))), contentType })],
    ['empty body', () => ({ text: '', contentType })],
    ['wrong content type', () => ({ text, contentType: dice.pick(['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/jsonx', '*/*']) })],
    ['no content type', () => ({ text, contentType: undefined })],
    ['json with a charset', () => ({ text, contentType: dice.pick(['application/json; charset=utf-8', 'application/json; charset=latin1', 'APPLICATION/JSON']) })],
    ['ndjson type', () => ({ text, contentType: 'application/x-ndjson' })],
    ['top-level of another kind', () => ({ text: dice.pick(['[]', 'null', '42', '"s"', 'true', `[${text}]`]), contentType })],
    ['trailing garbage', () => ({ text: `${text}${dice.pick([',', '}', ' x', '\u0000', '{}'])}`, contentType })],
    ['duplicate key', () => ({ text: text.replace(/^\{"([^"]+)":/, '{"$1":null,"$1":'), contentType })],
    ['byte order mark', () => ({ text: `\ufeff${text}`, contentType })],
    ['comments', () => ({ text: `/* c */${text}`, contentType })],
    ['single quotes', () => ({ text: text.replace(/"/g, "'"), contentType })],
  ];
  const [what, make] = dice.pick(options);
  return { ...make(), what };
}
