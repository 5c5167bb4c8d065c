import { describe, expect, it } from 'vitest';
import { parseJsonInPieces } from '../../src/http/json-pieces.js';
import { mulberry32 } from '../../src/util/random.js';

const pieces = (text: string): Promise<unknown> => parseJsonInPieces(Buffer.from(text, 'latin1'));

/** The same value, the same key order at every level, the same prototypes: what JSON.parse would give. */
async function expectSameAsJsonParse(text: string): Promise<void> {
  const got = await pieces(text);
  const want: unknown = JSON.parse(text);
  expect(got).toStrictEqual(want);
  expect(JSON.stringify(got)).toBe(JSON.stringify(want));
}

/** Strings that trip a scanner: quotes, backslashes, brackets and separators inside them. */
const TRICKY = ['', 'plain', 'a"b', 'back\\slash', 'ends with \\', '{[}]', '],"x":{', '\\"', 'tab\tnew\nline', 'caf\u00e9', '\u0001'];

function randomValue(rand: () => number, depth: number): unknown {
  const pick = Math.floor(rand() * (depth > 3 ? 5 : 8));
  switch (pick) {
    case 0:
      return (rand() - 0.5) * 10 ** Math.floor(rand() * 20 - 10);
    case 1:
      return TRICKY[Math.floor(rand() * TRICKY.length)];
    case 2:
      return rand() < 0.5;
    case 3:
      return null;
    case 4:
      return Math.floor(rand() * 1000);
    case 5:
      return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, (_, i) => [TRICKY[(i * 3 + Math.floor(rand() * 5)) % TRICKY.length]! + i, randomValue(rand, depth + 1)]));
  }
}

/** JSON text with JSON's whitespace (space, tab, LF, CR) sprinkled between tokens. */
function withSpace(rand: () => number, value: unknown): string {
  const ws = () => [' ', '\t', '\n', '\r', '', '', ''][Math.floor(rand() * 7)]!;
  const write = (v: unknown): string => {
    if (Array.isArray(v)) return `[${ws()}${v.map((x) => `${ws()}${write(x)}${ws()}`).join(',')}${ws()}]`;
    if (v && typeof v === 'object') return `{${ws()}${Object.entries(v).map(([k, x]) => `${ws()}${JSON.stringify(k)}${ws()}:${ws()}${write(x)}${ws()}`).join(',')}${ws()}}`;
    return JSON.stringify(v);
  };
  return `${ws()}${write(value)}${ws()}`;
}

const batch = (n: number) => ({ predictions: Array.from({ length: n }, (_, i) => ({ id: `p-${i}`, embedding: [0.25, -1.5e-7, i], scores: { lager: 0.7, 'st"out': 0.3 }, metadata: { tags: ['a', '[b]'], note: '}{' } })) });

describe('parseJsonInPieces', () => {
  it('when a batch body is parsed in pieces, then it equals JSON.parse of the whole text', async () => {
    await expectSameAsJsonParse(JSON.stringify(batch(50)));
    await expectSameAsJsonParse(JSON.stringify({ embeddings: [[1, 2, 3], [4.5, -6e-3], []] }));
    await expectSameAsJsonParse(JSON.stringify({ examples: [{ id: 'e', concepts: ['x'] }], other: { k: [1, { a: 'b' }] }, n: 3, s: 'x', t: true, z: null, e: [], o: {} }));
  });

  it('when 500 generated bodies with tricky strings and JSON whitespace are parsed, then each equals JSON.parse or is left to it', async () => {
    const rand = mulberry32(7);
    let taken = 0;
    for (let i = 0; i < 500; i++) {
      const members = Array.from({ length: 1 + Math.floor(rand() * 4) }, (_, k) => [`m${k}${TRICKY[k % TRICKY.length]}`, rand() < 0.6 ? Array.from({ length: Math.floor(rand() * 5) }, () => ({ v: randomValue(rand, 1), a: [randomValue(rand, 2)] })) : randomValue(rand, 1)]);
      const text = withSpace(rand, Object.fromEntries(members));
      // An array that starts with a number and holds a string or an array (`[1,"]"]`) is guessed
      // to end too early; the piece does not parse and the body is left to JSON.parse.
      if ((await pieces(text)) === undefined) continue;
      await expectSameAsJsonParse(text);
      taken++;
    }
    expect(taken).toBeGreaterThan(400);
  });

  it('when an array of numbers holds a string with a bracket, then the body is left to JSON.parse, never read wrong', async () => {
    for (const text of ['{"p":[{"e":[1,"]",2]}]}', '{"p":[{"e":[1,[2]],"f":3}]}', '{"p":[[1,"],[",2]]}', '{"p":[{"e":[-1,"x]"]}],"q":[1]}']) {
      expect(JSON.parse(text)).toBeDefined();
      expect(await pieces(text)).toBeUndefined();
    }
  });

  it('when the caller gives turns, then it is called after each element of each array but the last, and the value is the same', async () => {
    const body = { a: [{ x: 1 }, { x: 2 }, { x: 3 }], b: 4, c: [[1], [2]] };
    const order: string[] = [];
    const value = await parseJsonInPieces(Buffer.from(JSON.stringify(body), 'latin1'), async () => {
      order.push('between');
    });
    expect(value).toStrictEqual(body);
    expect(order).toHaveLength(2 + 1);
  });

  it('when a turn is taken between pieces, then work queued meanwhile runs before the parse ends', async () => {
    const text = JSON.stringify(batch(20));
    let ranMeanwhile = false;
    const parsing = parseJsonInPieces(Buffer.from(text, 'latin1'), () => new Promise((resolve) => setImmediate(resolve)));
    setImmediate(() => (ranMeanwhile = true));
    const value = (await parsing) as { predictions: unknown[] };
    expect(ranMeanwhile).toBe(true);
    expect(value.predictions).toHaveLength(20);
  });

  it('when a key repeats, then the last value wins in the first place, as JSON.parse does', async () => {
    await expectSameAsJsonParse('{"a":[{"x":1}],"b":2,"a":[{"y":2}]}');
  });

  it.each([
    ['a top-level array', '[{"a":1},{"b":2}]'],
    ['a top-level string', '"text"'],
    ['a __proto__ key, which JSON.parse makes an own property', '{"__proto__":[{"polluted":true}]}'],
  ])('when the body is %s, then it is left to JSON.parse (undefined)', async (_, text) => {
    expect(await pieces(text)).toBeUndefined();
  });

  it.each([
    ['records without a comma', '{"p":[{"a":1}{"b":2}]}'],
    ['a trailing comma in the array', '{"p":[{"a":1},]}'],
    ['a trailing comma in the object', '{"p":[{"a":1}],}'],
    ['a missing colon', '{"p" [{"a":1}]}'],
    ['an unclosed array', '{"p":[{"a":1}'],
    ['an unclosed record', '{"p":[{"a":1'],
    ['an unclosed string', '{"p":[{"a":"x}]}'],
    ['a mismatched bracket in a record', '{"p":[{"a":[1}]]}'],
    ['text after the body', '{"p":[{"a":1}]} x'],
    ['a second body', '{"p":[{"a":1}]}{"q":1}'],
    ['a non-JSON space (form feed)', '{"p":\f[{"a":1}]}'],
    ['an invalid number in a record', '{"p":[{"a":01}]}'],
    ['an invalid literal member', '{"p":tru}'],
    ['a single-quoted key', "{'p':[{}]}"],
    ['nothing', ''],
  ])('when the body has %s, then it is not taken (undefined) and JSON.parse throws on it too', async (_, text) => {
    expect(await pieces(text)).toBeUndefined();
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });
});
