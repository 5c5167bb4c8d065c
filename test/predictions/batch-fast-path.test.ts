import { z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { plainBatch, predictionsBatchSchema } from '../../src/predictions/predictions.schemas.js';
import { encodeFloat32Base64 } from '../../src/util/vectors.js';

/** The schema's own answer, without the fast path in front of it (zod's function form runs the schema itself). */
const zodOnly = (body: unknown) => z.safeParseAsync(predictionsBatchSchema, body);

/** Keys in order at every level, and every value: what storing (`scores_json`) and answering can see. */
const exact = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.entries(x) : x));

const emb = (n = 4) => Array.from({ length: n }, (_, i) => (i + 1) / (n + 1));
const scores = { lager: 0.75, stout: 0.25 };
const plain = (over: Record<string, unknown> = {}) => ({ id: 'p1', embedding: emb(), scores, ...over });
/** The same prediction with its embedding as base64 of float32 bytes (these values are not float32: the decoded ones are their roundings). */
const packed = (over: Record<string, unknown> = {}) => ({ id: 'p1', embeddingBase64: encodeFloat32Base64(emb()), scores, ...over });
const floats = (values: number[]) => Buffer.from(new Float32Array(values).buffer).toString('base64');

const VALID: [string, unknown][] = [
  ['one plain prediction', { predictions: [plain()] }],
  ['keys in another order', { predictions: [{ scores, embedding: emb(), id: 'p2' }] }],
  ['score keys in insertion order, integer-like keys first', { predictions: [plain({ scores: { b: 0, '10': 1, a: -0, '2': 0.5 } })] }],
  ['the longest id and a one-number embedding', { predictions: [plain({ id: 'x'.repeat(256), embedding: [0.5] })] }],
  ['an empty scores object', { predictions: [plain({ scores: {} })] }],
  ['many predictions', { predictions: Array.from({ length: 50 }, (_, i) => plain({ id: `p${i}`, embedding: emb(32) })) }],
  ['an empty batch', { predictions: [] }],
  ['an embedding as base64 float32', { predictions: [packed()] }],
  ['both spellings across a batch', { predictions: [plain(), packed({ id: 'p2' }), packed({ id: 'p3', embeddingBase64: floats([0.5]) })] }],
];

const INVALID_OR_OTHER: [string, unknown][] = [
  ['an optional field', { predictions: [plain({ encoder: 'clip' })] }],
  ['a timestamp', { predictions: [plain({ timestamp: '2026-11-30T12:00:00Z' })] }],
  ['input and metadata', { predictions: [plain({ input: { text: 't', url: 'u' }, metadata: { a: [1, { b: 2 }] } })] }],
  ['an unknown field', { predictions: [plain({ colour: 'red' })] }],
  ['an unknown field beside the batch', { predictions: [plain()], more: 1 }],
  ['an empty id', { predictions: [plain({ id: '' })] }],
  ['an id too long', { predictions: [plain({ id: 'x'.repeat(257) })] }],
  ['a numeric id', { predictions: [plain({ id: 7 })] }],
  ['an empty embedding', { predictions: [plain({ embedding: [] })] }],
  ['an embedding with a string', { predictions: [plain({ embedding: [0.1, '0.2'] })] }],
  ['an embedding past float32', { predictions: [plain({ embedding: [1e39, 0] })] }],
  ['an embedding whose square overflows float32', { predictions: [plain({ embedding: [1e20, 1e20] })] }],
  ['an embedding that is an object', { predictions: [plain({ embedding: { 0: 1 } })] }],
  ['no scores', { predictions: [{ id: 'p1', embedding: emb() }] }],
  ['no embedding in either spelling', { predictions: [{ id: 'p1', scores }] }],
  ['both spellings in one prediction', { predictions: [plain({ embeddingBase64: floats(emb()) })] }],
  ['base64 that is not 4-byte values', { predictions: [packed({ embeddingBase64: Buffer.from([1, 2, 3, 4, 5, 6]).toString('base64') })] }],
  ['base64 without its padding', { predictions: [packed({ embeddingBase64: floats([0.5, 0.25]).replace(/=+$/, '') })] }],
  ['base64 with a character outside its alphabet', { predictions: [packed({ embeddingBase64: `${floats([0.5, 0.25, 1]).slice(0, 4)}*${floats([0.5, 0.25, 1]).slice(5)}` })] }],
  ['base64url instead of base64', { predictions: [packed({ embeddingBase64: floats([-1.5e-38, 3.3e38, 7]).replace(/\+/g, '-').replace(/\//g, '_') })] }],
  ['empty base64', { predictions: [packed({ embeddingBase64: '' })] }],
  ['base64 float32 NaN', { predictions: [packed({ embeddingBase64: floats([0.5, Number.NaN]) })] }],
  ['base64 float32 infinity', { predictions: [packed({ embeddingBase64: floats([Number.POSITIVE_INFINITY]) })] }],
  ['base64 whose squared norm overflows float32', { predictions: [packed({ embeddingBase64: floats([3e38, 3e38]) })] }],
  ['base64 that is a number', { predictions: [packed({ embeddingBase64: 7 })] }],
  ['scores as an array', { predictions: [plain({ scores: [0.5] })] }],
  ['scores null', { predictions: [plain({ scores: null })] }],
  ['a score above 1', { predictions: [plain({ scores: { a: 1.5 } })] }],
  ['a score below 0', { predictions: [plain({ scores: { a: -0.1 } })] }],
  ['a score as a string', { predictions: [plain({ scores: { a: '0.5' } })] }],
  ['a score key __proto__', JSON.parse('{"predictions":[{"id":"p1","embedding":[0.5],"scores":{"__proto__":0.5,"a":0.5}}]}')],
  ['a prediction null', { predictions: [plain(), null] }],
  ['a prediction that is an array', { predictions: [[]] }],
  ['predictions not an array', { predictions: { 0: plain() } }],
  ['a body that is an array', [plain()]],
  ['a body that is null', null],
  ['bad records at several indexes', { predictions: [plain(), plain({ id: '' }), plain({ scores: { a: 2 } })] }],
];

describe('the predictions batch schema fast path', () => {
  it.each(VALID)('when a batch holds %s, then the fast path answers it exactly as zod does', async (_name, body) => {
    const fast = plainBatch(body);
    expect(fast).toBeDefined();
    const reference = await zodOnly(body);
    expect(reference.success).toBe(true);
    expect(exact(fast)).toBe(exact(reference.data));
    expect(exact((await predictionsBatchSchema.safeParseAsync(body)).data)).toBe(exact(reference.data));
  });

  it.each(INVALID_OR_OTHER)('when a body has %s, then zod answers it, with its own issues', async (_name, body) => {
    expect(plainBatch(body)).toBeUndefined();
    const [ours, reference] = [await predictionsBatchSchema.safeParseAsync(body), await zodOnly(body)];
    expect(ours.success).toBe(reference.success);
    expect(exact(ours.error?.issues)).toBe(exact(reference.error?.issues));
    expect(exact(ours.data)).toBe(exact(reference.data));
  });

  it('when an embedding comes as base64, then the record holds the float32 values as numbers, and no base64', async () => {
    const values = [0.1, -2.5, 1.5e19, -1e-45, 0];
    const parsed = (await predictionsBatchSchema.safeParseAsync({ predictions: [packed({ embeddingBase64: floats(values) })] })).data!;
    expect(parsed.predictions[0]!.embedding).toEqual([...new Float32Array(values)]);
    expect(parsed.predictions[0]).not.toHaveProperty('embeddingBase64');
  });

  it('when base64 is refused, then the issue names the field and says what it must be', async () => {
    const issues = async (p: unknown) => (await zodOnly({ predictions: [plain(), p] })).error!.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    expect(await issues(packed({ embeddingBase64: 'AAAA*AAA' }))).toEqual([{ path: 'predictions.1.embeddingBase64', message: expect.stringMatching(/^expected padded base64/) }]);
    expect(await issues(packed({ embeddingBase64: floats([Number.NaN]) }))).toEqual([{ path: 'predictions.1.embeddingBase64', message: expect.stringMatching(/must be finite/) }]);
    expect(await issues(plain({ embeddingBase64: floats([1]) }))).toEqual([{ path: 'predictions.1.embeddingBase64', message: 'send embedding or embeddingBase64, not both' }]);
    expect(await issues({ id: 'p2', scores })).toEqual([{ path: 'predictions.1.embedding', message: expect.stringMatching(/^required: an array of numbers/) }]);
  });

  it('when the fast path answers, then its record is a copy and its embedding the parsed array', () => {
    const body = { predictions: [plain()] };
    const fast = plainBatch(body)!;
    expect(fast.predictions[0]!.scores).not.toBe(scores);
    expect(fast.predictions[0]!.embedding).toBe(body.predictions[0]!.embedding);
  });
});
