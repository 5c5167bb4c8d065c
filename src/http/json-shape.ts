import { isAscii } from 'node:buffer';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { BatchValidationError, ValidationError } from '../errors.js';
import type { TurnLane } from '../util/turn-lane.js';
import { JSON_TYPE, mediaTypeOf } from './media-type.js';

/** Deeper JSON than this is refused: nothing in the API nests so far, and deep values overflow the stack of JSON.stringify. */
const MAX_JSON_DEPTH = 32;

// In `u` mode a surrogate pair is one code point, so this matches only a lone (unpaired) surrogate.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const isWellFormed = (s: string) => !LONE_SURROGATE.test(s);

/** A problem with a parsed JSON value: too deep, or a string with a lone UTF-16 surrogate (not storable as UTF-8). */
export interface JsonShapeProblem {
  path: string;
  message: string;
}

/** Walks the value without recursion (so no depth can overflow the walk itself); the first problem, or none. */
export function jsonShapeProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonShapeProblem | undefined {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (!isWellFormed(v)) return { path, message: 'strings must be valid Unicode (this one has a lone UTF-16 surrogate)' };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) return { path, message: `JSON nests deeper than ${maxDepth} levels` };
    if (Array.isArray(v)) {
      for (let i = typeof v[0] === 'number' ? leadingNumbers(v) : 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (typeof x === 'object' || typeof x === 'string') stack.push({ v: x, depth: depth + 1, path: `${path}.${i}` });
      }
      continue;
    }
    const record = v as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!isWellFormed(key)) return { path, message: 'keys must be valid Unicode (this one has a lone UTF-16 surrogate)' };
      const x = record[key];
      if (typeof x === 'object' || typeof x === 'string') stack.push({ v: x, depth: depth + 1, path: `${path}.${key}` });
    }
  }
  return undefined;
}

/**
 * How many elements at the start of `v` are numbers. Apart from the walk's loop, which sees arrays
 * of objects too, this loop sees number arrays (embeddings, most of a batch) only, and reads their
 * doubles unboxed: the shared loop allocated a heap number per element.
 */
function leadingNumbers(v: unknown[]): number {
  let i = 0;
  while (i < v.length && typeof v[i] === 'number') i++;
  return i;
}

/** Throws the API's 400 when a parsed body has a shape no route could store. */
function assertJsonShape(value: unknown): void {
  const problem = jsonShapeProblem(value);
  if (!problem) return;
  // Inside a batch (`.predictions.3.metadata…`) the problem names its record, as schema failures do.
  const inBatch = /^\.[^.]+\.(\d+)(?:\.(.*))?$/.exec(problem.path);
  if (inBatch) throw new BatchValidationError([{ index: Number(inBatch[1]), field: inBatch[2] ?? 'record', message: problem.message }]);
  throw new ValidationError(problem.message, { path: problem.path.slice(1) });
}

/** Bodies up to this size (a claim, a label, a model) are handled as they arrive; larger ones are bulk work. */
const BULK_BODY_BYTES = 8 * 1024;

function rawBody(c: Context): Buffer | undefined {
  const raw = (c.env as { incoming?: { rawBody?: unknown } } | undefined)?.incoming?.rawBody;
  return raw instanceof Buffer ? raw : undefined;
}

/**
 * The body as text, decoded as fetch's `Request.text()` decodes it (a leading UTF-8 BOM dropped,
 * invalid bytes replaced), from the bytes the node server buffered when it has them: the
 * web-stream path costs about a millisecond per large batch.
 */
function bodyText(c: Context): Promise<string> {
  const raw = rawBody(c);
  if (!raw) return c.req.text();
  const bytes = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? raw.subarray(3) : raw;
  // ASCII reads the same in every encoding, and latin1 copies it without UTF-8 decoding: a
  // third of the TextDecoder's time on a batch of embeddings, which is all ASCII.
  return Promise.resolve(isAscii(bytes) ? bytes.toString('latin1') : utf8.decode(bytes));
}

const utf8 = new TextDecoder();

/**
 * Checks every JSON body before any route reads it (NDJSON lines are checked as they are parsed).
 * A bulk body (a batch of predictions or examples) waits for its turn in `bulk` first, so its
 * parse, validation and the route's work up to its first wait run in a turn of their own and
 * short requests that arrived meanwhile (claims, labels) run before it.
 */
export function checkJsonBodies(bulk: TurnLane) {
  return createMiddleware(async (c, next) => {
    if (mediaTypeOf(c.req.header('content-type')) !== JSON_TYPE) return next();
    const size = rawBody(c)?.length ?? Number(c.req.header('content-length') ?? 0);
    if (size > BULK_BODY_BYTES) await bulk.turn();
    let body: unknown;
    try {
      body = JSON.parse(await bodyText(c));
    } catch {
      return next(); // malformed JSON: the route's validator answers it
    }
    assertJsonShape(body);
    // Hono caches a body's text, not its value, so the route's validator would parse it again:
    // the largest cost of a prediction batch on the event loop. It gets this parse instead.
    c.req.json = () => Promise.resolve(body as never);
    return next();
  });
}
