import { z } from '@hono/zod-openapi';
import { decodeFloat32Base64, isFloat32Safe } from '../util/vectors.js';
import { MODEL_NAME } from '../models/model.js';

/**
 * A concept id. Concept ids are keys of JSON objects (scores, thresholds), where `__proto__` cannot
 * be a key that survives parsing, so it is refused as an id; `constructor` and the like are fine.
 */
export const conceptId = z
  .string()
  .min(1)
  .max(128)
  .refine((s) => s !== '__proto__', { message: "'__proto__' cannot be a concept id" })
  .openapi({ example: 'lager' });

/** Client-chosen record id. */
export const recordId = z.string().min(1).max(256);

export const modelParams = z.object({
  model: z
    .string()
    .regex(MODEL_NAME, 'model names use letters, digits, ".", "_" and "-"')
    .openapi({ param: { name: 'model', in: 'path' }, example: 'perfect-pint', description: 'Model name: letters, digits, ".", "_" and "-"' }),
});

/**
 * Finite float32 values with a finite float32 squared norm (`1e400` parses to Infinity; `1e200` squares
 * past float32). One loop instead of a schema per element: embeddings are the bulk of every batch.
 */
export const embedding = z
  .custom<number[]>((v) => Array.isArray(v) && v.length > 0 && v.length <= 65_536 && isFloat32Safe(v), {
    error: (issue) =>
      issue.input === undefined
        ? 'required: an array of numbers'
        : 'expected a non-empty array of numbers whose values and squared norm are finite in float32 (|x| and Σx² ≤ 3.4e38)',
  })
  .openapi({ type: 'array', items: { type: 'number' }, minItems: 1, maxItems: 65_536, example: [0.12, -0.4, 0.33] });

/** The longest `embeddingBase64`: 65,536 float32 values. */
const EMBEDDING_BASE64_MAX = 4 * Math.ceil((4 * 65_536) / 3);

/** An embedding as base64 of its float32 bytes: checked and decoded by {@link oneEmbedding}. */
export const embeddingBase64 = z.string().max(EMBEDDING_BASE64_MAX).openapi({
  description:
    'Instead of embedding: the same values as little-endian IEEE-754 float32 bytes, base64 (RFC 4648, padded). About a quarter of the bytes of JSON numbers, ' +
    'and no number parsing on either side; the values are what the service stores anyway (float32)',
  example: 'zcxMP83MTD4AAIA/',
});

/** A record's two spellings of its embedding: exactly one is sent. */
export interface EmbeddingFields {
  embedding?: number[] | undefined;
  embeddingBase64?: string | undefined;
}

const EITHER = 'required: an array of numbers (embedding), or base64 of float32 bytes (embeddingBase64)';

/**
 * A record's `embedding`, from whichever spelling it was sent in (a zod transform), or an issue on
 * that field when it has neither or both, or base64 that is not 1 to 65,536 float32 values with a
 * finite squared norm. The output always holds `embedding`, so everything after validation sees one form.
 */
export function oneEmbedding<T extends EmbeddingFields>(record: T, ctx: z.RefinementCtx): Omit<T, keyof EmbeddingFields> & { embedding: number[] } {
  const { embedding: numbers, embeddingBase64: base64 } = record;
  const fail = (field: keyof EmbeddingFields, message: string) => {
    ctx.addIssue({ code: 'custom', path: [field], message, input: record[field] });
    return z.NEVER;
  };
  if (numbers !== undefined && base64 !== undefined) return fail('embeddingBase64', 'send embedding or embeddingBase64, not both');
  if (numbers !== undefined) return record as Omit<T, keyof EmbeddingFields> & { embedding: number[] };
  if (base64 === undefined) return fail('embedding', EITHER);
  const decoded = decodeFloat32Base64(base64);
  if (decoded === undefined) return fail('embeddingBase64', 'expected padded base64 (RFC 4648) of 1 to 65,536 little-endian float32 values (4 bytes each)');
  if (!isFloat32Safe(decoded)) return fail('embeddingBase64', 'the float32 values and their squared norm must be finite (no NaN or infinity; Σx² ≤ 3.4e38)');
  // `embedding` where the base64 was, so the record's keys keep the order that is stored (the schema's).
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) out[key === 'embeddingBase64' ? 'embedding' : key] = key === 'embeddingBase64' ? decoded : record[key as keyof T];
  return out as Omit<T, keyof EmbeddingFields> & { embedding: number[] };
}

export const inputRef = z
  .object({
    url: z.string().max(2_000_000).optional().openapi({ description: 'Where the input can be seen (an image URL, or a data: URL)' }),
    text: z.string().max(100_000).optional().openapi({ description: 'The input as text, or a caption' }),
  })
  .strict()
  .openapi('InputRef', { description: 'A reference to the input, shown to labelers' });

export const metadata = z.record(z.string(), z.unknown()).openapi({ description: 'Free-form JSON kept with the record (at most 32 levels deep)' });

/** How far an embedding lies from the training data. */
export const oodResult = z
  .object({
    distance: z.number().openapi({ description: 'Mean distance to the ood.k nearest train examples' }),
    score: z.number().openapi({ description: 'Calibrated percentile in [0, 1]: the share of eval examples lying closer to the train split' }),
    isOod: z.boolean().openapi({ description: 'score ≥ ood.quantile' }),
  })
  .openapi({ description: 'Out-of-distribution score' });

/** What `error.details` holds: an object (a batch's bad `indexes` and `problems`, a conflict's fields) or a list of schema problems. */
const errorDetails = z
  .union([
    z
      .object({
        indexes: z.array(z.number()).optional().openapi({ description: 'Batch: positions of the bad records (nothing of the batch was stored)' }),
        problems: z
          .array(
            z.object({
              index: z.number().openapi({ description: 'Position of the record in the batch' }),
              field: z.string().openapi({ description: 'The field at fault' }),
              message: z.string().openapi({ description: 'What is wrong with it' }),
            }),
          )
          .optional()
          .openapi({ description: 'Batch: the first 100 problems' }),
      })
      .catchall(z.unknown())
      .openapi({ description: 'An object: a batch’s bad records, or the fields a conflict is about' }),
    z
      .array(
        z.object({
          path: z.string().openapi({ description: 'Dotted path of the field at fault (e.g. settings.drift.alpha)' }),
          message: z.string().openapi({ description: 'What is wrong with it' }),
        }),
      )
      .openapi({ description: 'A list of schema problems' }),
  ])
  .optional()
  .openapi({ description: 'More about the error, when there is more to say' });

const errorSchema = z
  .object({
    error: z
      .object({
        code: z.string().openapi({ description: 'Machine-readable code, e.g. validation_failed, not_found, conflict', example: 'validation_failed' }),
        message: z.string().openapi({ description: 'What went wrong, for people' }),
        details: errorDetails,
      })
      .openapi({ description: 'The error' }),
  })
  .openapi('Error');

/** Error responses every authenticated route can give. */
export function errorResponses(...statuses: (400 | 401 | 403 | 404 | 409 | 413)[]) {
  const content = { 'application/json': { schema: errorSchema } };
  return Object.fromEntries(statuses.map((s) => [s, { description: ERROR_TEXT[s], content }]));
}

const ERROR_TEXT = {
  400: 'Bad input; nothing was stored',
  401: 'Missing or unknown API key',
  403: 'The key lacks the role',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body or batch too large',
} as const;

export const bearer = [{ bearerAuth: [] }];

/**
 * An operation's description: which keys may call it (an admin key may call everything). Written
 * by {@link keyRule}, with the guard it describes.
 */
function needsRole(...roles: ('ingest' | 'label')[]): string {
  const who = roles.length === 0 ? 'an `admin` key' : `a key with the ${roles.map((r) => `\`${r}\``).join(' or ')} role, or an \`admin\` key`;
  return `Needs ${who} (\`Authorization: Bearer <key>\`, or a signed-in session; none in open mode).`;
}

/**
 * Which keys may call an operation, said once for `createRoute`: the bearer scheme and the
 * description /docs shows, and the guard that enforces the same roles (none named: admin only).
 */
export function keyRule<M>(guard: (...roles: ('ingest' | 'label')[]) => M, ...roles: ('ingest' | 'label')[]): { security: typeof bearer; description: string; middleware: [M] } {
  return { security: bearer, description: needsRole(...roles), middleware: [guard(...roles)] };
}
