import type { z } from 'zod';
import { BatchValidationError, ValidationError, type RecordProblem } from '../errors.js';

type Issue = z.core.$ZodIssue;

/**
 * zod-openapi hook: turns schema failures into the API's validation error. When
 * the failures sit inside a batch array, the details list the bad indexes.
 */
export function validationHook(result: { success: boolean; error?: { issues: Issue[] } }): void {
  if (result.success || !result.error) return;
  const issues = result.error.issues;
  const batch: RecordProblem[] = [];
  const batchNames = new Set<string>();
  for (const issue of issues) {
    const [field, index, ...rest] = issue.path;
    if (typeof field === 'string' && typeof index === 'number') {
      batch.push({ index, field: rest.join('.') || field, message: issueMessage(issue) });
      batchNames.add(field);
    }
  }
  // The batch's own name ("predictions"), as the service's checks say it, when one array holds every failure.
  const what = batchNames.size === 1 ? [...batchNames][0] : undefined;
  if (batch.length > 0 && batch.length === issues.length) throw new BatchValidationError(batch, what);
  throw new ValidationError(
    'Request does not match the schema',
    issues.slice(0, 50).map((i) => ({ path: i.path.join('.'), message: issueMessage(i) })),
  );
}

/** zod's message, except that a field left out says so ("required: expected string") rather than "received undefined". */
function issueMessage(issue: Issue): string {
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) return `required: expected ${issue.expected === 'record' ? 'object' : issue.expected}`;
  return issue.message;
}

/**
 * `schema` with a fast path in front of it at the HTTP edge (the route validators call
 * `safeParseAsync`): `fast` answers the common, plainly valid body with exactly what the schema
 * would answer, or undefined to let the schema parse it. The schema still describes the body in
 * the OpenAPI document and the typed client.
 */
export function withFastPath<T extends z.ZodType>(schema: T, fast: (data: unknown) => z.output<T> | undefined): T {
  const parse = schema.safeParseAsync.bind(schema);
  schema.safeParseAsync = async (data, params) => {
    const value = fast(data);
    return value === undefined ? parse(data, params) : { success: true, data: value };
  };
  return schema;
}
