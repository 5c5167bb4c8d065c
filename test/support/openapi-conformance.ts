import { resolve, type Schema } from './fuzz.js';

/**
 * Where a JSON value breaks an OpenAPI 3.1 schema of the document `doc` (after $ref and allOf):
 * type (also `["object", "null"]`), enum, required and declared properties, array items and
 * tuples, anyOf/oneOf. Enough for the schemas zod-openapi writes; not a full JSON Schema validator.
 */
export function violations(value: unknown, schema: Schema | undefined, doc: Schema, at = '$'): string[] {
  const s = resolve(schema, doc);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return (alternatives as Schema[]).some((a) => violations(value, a, doc, at).length === 0) ? [] : [`${at}: matches none of its alternatives`];
  if (s.enum && !s.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`];
  const types: string[] | undefined = s.type === undefined ? undefined : [s.type].flat();
  if (types && !types.includes(typeOf(value)) && !(types.includes('number') && typeOf(value) === 'integer')) return [`${at}: a ${typeOf(value)}, not ${types.join(' or ')}`];
  if (Array.isArray(value)) {
    if (Array.isArray(s.prefixItems)) return value.flatMap((v, i) => violations(v, s.prefixItems[i] ?? s.items, doc, `${at}[${i}]`));
    return value.flatMap((v, i) => violations(v, s.items, doc, `${at}[${i}]`));
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const missing = ((s.required ?? []) as string[]).filter((k) => !Object.hasOwn(record, k)).map((k) => `${at}.${k}: required, absent`);
    const extra = s.additionalProperties === false ? Object.keys(record).filter((k) => !s.properties?.[k]).map((k) => `${at}.${k}: not declared`) : [];
    const inner = Object.entries(record).flatMap(([k, v]) => {
      const child = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      return child ? violations(v, child, doc, `${at}.${k}`) : [];
    });
    return [...missing, ...extra, ...inner];
  }
  return [];
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
