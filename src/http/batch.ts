import type { z } from 'zod';
import { jsonShapeProblem } from './json-shape.js';
import { batchTooLarge } from './too-large.js';
import { BatchValidationError, ValidationError, type RecordProblem } from '../errors.js';

/** Refuses batches over the record limit, so one request cannot hold the server for minutes. */
export function assertBatchSize(count: number, max: number): void {
  if (count > max) throw batchTooLarge(count, max);
  if (count === 0) throw new ValidationError('The batch is empty');
}

/** Parses NDJSON (one record a line, blank lines ignored) and validates each record; all or nothing. */
export function parseNdjson<T extends z.ZodType>(text: string, schema: T, maxRecords: number): z.infer<T>[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  assertBatchSize(lines.length, maxRecords);
  const records: z.infer<T>[] = [];
  const problems: RecordProblem[] = [];
  lines.forEach((line, index) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push({ index, field: 'line', message: 'malformed JSON' });
      return;
    }
    const shape = jsonShapeProblem(value);
    if (shape) {
      problems.push({ index, field: shape.path.slice(1) || 'record', message: shape.message });
      return;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) records.push(parsed.data);
    else for (const i of parsed.error.issues) problems.push({ index, field: i.path.join('.') || 'record', message: i.message });
  });
  if (problems.length > 0) throw new BatchValidationError(problems, 'records');
  return records;
}
