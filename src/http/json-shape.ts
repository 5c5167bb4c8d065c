import { isAscii } from 'node:buffer';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { BatchValidationError, PayloadTooLargeError, ValidationError } from '../errors.js';
import { TurnClock } from '../util/turn-clock.js';
import type { TurnLane } from '../util/turn-lane.js';
import { bufferedBody } from './body-limit.js';
import { parseJsonInPieces } from './json-pieces.js';
import { JSON_TYPE, mediaTypeOf } from './media-type.js';
import { batchTooLarge } from './too-large.js';

/** Deeper JSON than this is refused: nothing in the API nests so far, and deep values overflow the stack of JSON.stringify. */
const MAX_JSON_DEPTH = 32;

/**
 * Most members of one object, and most elements of one array that does not hold numbers alone:
 * the largest a route takes (a taxonomy of 10,000 concepts and its scores). Validation makes an
 * issue for every bad member or element, and a few hundred thousand of them exhaust the stack or
 * the heap: a 21 MB body of empty records grew the heap past 4 GB.
 */
const MAX_JSON_MEMBERS = 10_000;

/**
 * Most objects and arrays in one body, counted in its bytes before it is parsed (braces inside
 * strings count too: an upper bound). A batch of 10,000 records needs a few per record; 64 MiB of
 * `{},` would make 21 million objects, about a gigabyte of heap, before any check could run.
 */
const MAX_JSON_CONTAINERS = 1_000_000;

// In `u` mode a surrogate pair is one code point, so the range matches only a lone (unpaired)
// surrogate, which UTF-8 cannot encode. U+0000 is valid Unicode, but PostgreSQL's text and jsonb
// cannot hold it (the insert fails): refused on both databases, so a body means the same on each.
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/u;

function unstorable(s: string, what: 'strings' | 'keys'): string | undefined {
  const found = UNSTORABLE.exec(s);
  if (!found) return undefined;
  return found[0] === '\u0000' ? `${what} must not hold U+0000 (NUL)` : `${what} must be valid Unicode (this one has a lone UTF-16 surrogate)`;
}

/** A problem with a parsed JSON value: too deep, or a string that cannot be stored (a lone UTF-16 surrogate, or U+0000). */
export interface JsonShapeProblem {
  path: string;
  message: string;
}

/** A value still to visit, and how it is reached: its path is spelled out only for a problem. */
interface Visit {
  v: unknown;
  depth: number;
  parent: Visit | undefined;
  key: string | number;
}

function pathOf(visit: Visit): string {
  const keys: (string | number)[] = [];
  for (let at: Visit | undefined = visit; at?.parent; at = at.parent) keys.push(at.key);
  return keys.reverse().map((k) => `.${k}`).join('');
}

/**
 * Walks the value without recursion (so no depth can overflow the walk itself); the first problem,
 * or none. With `strings` false the strings and keys are not checked: the caller knows none can
 * hold a lone surrogate or U+0000 (see {@link mayHoldUnstorableStrings}).
 */
export function jsonShapeProblem(value: unknown, maxDepth = MAX_JSON_DEPTH, strings = true): JsonShapeProblem | undefined {
  const stack: Visit[] = [{ v: value, depth: 0, parent: undefined, key: '' }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { v, depth } = visit;
    if (typeof v === 'string') {
      const message = unstorable(v, 'strings');
      if (message) return { path: pathOf(visit), message };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) return { path: pathOf(visit), message: `JSON nests deeper than ${maxDepth} levels` };
    if (Array.isArray(v)) {
      // `at(0)`, not `v[0]`: this load sees arrays of objects and arrays of numbers, and V8's
      // optimizing compiler answers such a load by converting each number array it meets to an
      // array of objects (a heap number per element: 0.5 MB of garbage per batch of embeddings,
      // and every later read of them boxed). The builtin reads without converting.
      const numbers = typeof v.at(0) === 'number' ? leadingNumbers(v) : 0;
      if (v.length > MAX_JSON_MEMBERS && numbers < v.length) return { path: pathOf(visit), message: `an array holds more than ${MAX_JSON_MEMBERS.toLocaleString('en-US')} elements that are not all numbers` };
      for (let i = numbers; i < v.length; i++) {
        const x: unknown = v[i];
        if (typeof x === 'object' || (strings && typeof x === 'string')) stack.push({ v: x, depth: depth + 1, parent: visit, key: i });
      }
      continue;
    }
    const record = v as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length > MAX_JSON_MEMBERS) return { path: pathOf(visit), message: `an object holds more than ${MAX_JSON_MEMBERS.toLocaleString('en-US')} members` };
    for (const key of keys) {
      const message = strings ? unstorable(key, 'keys') : undefined;
      if (message) return { path: pathOf(visit), message };
      const x = record[key];
      if (typeof x === 'object' || (strings && typeof x === 'string')) stack.push({ v: x, depth: depth + 1, parent: visit, key });
    }
  }
  return undefined;
}

/** The only way JSON text spells a lone surrogate or U+0000. */
const UNICODE_ESCAPE = '\\u';

/**
 * Whether JSON text can parse to a string with a lone surrogate or U+0000. Decoded text holds no
 * lone surrogate (invalid UTF-8 bytes become U+FFFD) and JSON refuses a raw control character in a
 * string, so only a `\u` escape can make either: a batch of embeddings has none, and its strings
 * and keys need no check.
 */
export function mayHoldUnstorableStrings(text: string): boolean {
  return text.includes(UNICODE_ESCAPE);
}

/**
 * How many elements at the start of `v` are numbers. Read with `at`, like the first element in the
 * walk: this loop sees embeddings (arrays of doubles) and any array that starts with a number,
 * and once it has met one that also holds a string or an object (metadata such as `[1, "a"]`), a
 * plain `v[i]` load would have V8 convert every embedding it meets after that to heap numbers.
 * `at` costs about 45 µs more per batch of 100 × 256 than `v[i]` (58 against 13 µs in isolation).
 */
function leadingNumbers(v: unknown[]): number {
  let i = 0;
  while (i < v.length && typeof v.at(i) === 'number') i++;
  return i;
}

/** Throws the API's 400 when a parsed body has a shape no route could store. */
function assertJsonShape(value: unknown, strings: boolean): void {
  const problem = jsonShapeProblem(value, MAX_JSON_DEPTH, strings);
  if (!problem) return;
  // Inside a batch (`.predictions.3.metadata…`) the problem names its record, as schema failures do.
  const inBatch = /^\.([^.]+)\.(\d+)(?:\.(.*))?$/.exec(problem.path);
  if (inBatch) throw new BatchValidationError([{ index: Number(inBatch[2]), field: inBatch[3] ?? 'record', message: problem.message }], inBatch[1]);
  throw new ValidationError(problem.message, { path: problem.path.slice(1) });
}

/** Bodies up to this size (a claim, a label, a model) are handled as they arrive; larger ones are bulk work. */
const BULK_BODY_BYTES = 8 * 1024;

/** Bodies from this size are parsed a record at a time (`json-pieces.ts`): their text would be a fresh large-object page. */
const PIECEWISE_BODY_BYTES = 64 * 1024;

/** A body's parsed value, and whether its strings and keys need the check for what cannot be stored. */
interface ParsedBody {
  value: unknown;
  checkStrings: boolean;
}

/**
 * The body parsed as `JSON.parse` parses fetch's `Request.text()` (a leading UTF-8 BOM dropped,
 * invalid bytes replaced), from the bytes the node server buffered when it has them: the
 * web-stream path costs about a millisecond per large batch. Throws JSON.parse's error.
 */
async function parseBody(c: Context): Promise<ParsedBody> {
  const raw = bufferedBody(c);
  if (!raw) return parsedText(await c.req.text());
  const bytes = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? raw.subarray(3) : raw;
  // ASCII reads the same in every encoding, and latin1 copies it without UTF-8 decoding: a
  // third of the TextDecoder's time on a batch of embeddings, which is all ASCII.
  if (!isAscii(bytes)) return parsedText(utf8.decode(bytes));
  if (bytes.length >= PIECEWISE_BODY_BYTES) {
    const clock = new TurnClock();
    const value = await parseJsonInPieces(bytes, () => clock.tick());
    if (value !== undefined) return { value, checkStrings: bytes.includes(UNICODE_ESCAPE) };
  }
  return parsedText(bytes.toString('latin1'));
}

function parsedText(text: string): ParsedBody {
  return { value: JSON.parse(text), checkStrings: mayHoldUnstorableStrings(text) };
}

const utf8 = new TextDecoder();

/**
 * Checks every JSON body before any route reads it (NDJSON lines are checked as they are parsed).
 * A bulk body (a batch of predictions or examples) waits for its turn in `bulk` first, so its
 * parse, validation and the route's work up to its first wait run in a turn of their own and
 * short requests that arrived meanwhile (claims, labels) run before it.
 */
export function checkJsonBodies(bulk: TurnLane, maxRecords: number) {
  return createMiddleware(async (c, next) => {
    if (mediaTypeOf(c.req.header('content-type')) !== JSON_TYPE) return next();
    const raw = bufferedBody(c);
    const size = raw?.length ?? Number(c.req.header('content-length') ?? 0);
    if (size > BULK_BODY_BYTES) await bulk.turn();
    if (raw && size > BULK_BODY_BYTES && containersOver(raw, MAX_JSON_CONTAINERS)) {
      throw new PayloadTooLargeError(`The body holds more than ${MAX_JSON_CONTAINERS.toLocaleString('en-US')} JSON objects and arrays`);
    }
    let body: ParsedBody;
    try {
      body = await parseBody(c);
    } catch {
      return next(); // malformed JSON: the route's validator answers it
    }
    assertBatchesWithin(body.value, maxRecords);
    assertJsonShape(body.value, body.checkStrings);
    // Hono caches a body's text, not its value, so the route's validator would parse it again:
    // the largest cost of a prediction batch on the event loop. It gets this parse instead.
    c.req.json = () => Promise.resolve(body.value as never);
    return next();
  });
}

/** Whether the bytes hold more than `max` `{` and `[`, found natively (inside strings too: an upper bound). */
function containersOver(bytes: Buffer, max: number): boolean {
  let count = 0;
  for (const open of [0x7b, 0x5b]) {
    for (let at = bytes.indexOf(open); at !== -1; at = bytes.indexOf(open, at + 1)) {
      if (++count > max) return true;
    }
  }
  return false;
}

/** The 413 of a batch (a top-level array: predictions, examples, labels, embeddings) over the record limit, before validation reads it. */
function assertBatchesWithin(value: unknown, maxRecords: number): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  for (const member of Object.values(value)) {
    if (Array.isArray(member) && member.length > maxRecords) throw batchTooLarge(member.length, maxRecords);
  }
}
