import fs from 'node:fs';
import path from 'node:path';

/** A query of a table from a feature that does not own it. */
export interface OwnershipViolation {
  file: string;
  line: number;
  table: string;
  owner: string | undefined;
}

const BUILDER = /\b(?:selectFrom|insertInto|replaceInto|updateTable|deleteFrom|mergeInto|innerJoin|leftJoin|rightJoin|fullJoin|innerJoinLateral|leftJoinLateral)\(\s*['"`]([a-z_]+)/g;
// Raw SQL: `sql` templates and strings handed to a driver.
const RAW = [/\bsql(?:<[^`]*?>)?`([^`]*)`/g, /\b(?:prepare|exec|query)\(\s*(`[^`]*`|'[^']*'|"[^"]*")/g];
const RAW_TABLE = /\b(?:from|join|into|update|table)\s+"?([a-z_]+)"?(?:\s+(?:as\s+)?[a-z]\w*)?(?:\s*,\s*"?([a-z_]+)"?)?/gi;

/** The tables a source file queries, with the line of each use. */
function tablesQueried(text: string, tables: ReadonlySet<string>): { table: string; line: number }[] {
  const uses: { table: string; line: number }[] = [];
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  for (const m of text.matchAll(BUILDER)) if (tables.has(m[1]!)) uses.push({ table: m[1]!, line: lineOf(m.index) });
  for (const pattern of RAW) {
    for (const m of text.matchAll(pattern)) {
      for (const t of m[1]!.matchAll(RAW_TABLE)) {
        for (const name of [t[1], t[2]]) if (name && tables.has(name.toLowerCase())) uses.push({ table: name.toLowerCase(), line: lineOf(m.index) });
      }
    }
  }
  return uses;
}

/**
 * Every query of a table outside its owner's folder. `files` are paths relative to `src/`;
 * a file's feature is its first folder. Migrations create every table and are exempt.
 */
export function ownershipViolations(files: { file: string; text: string }[], owners: ReadonlyMap<string, string>): OwnershipViolation[] {
  const tables = new Set(owners.keys());
  const out: OwnershipViolation[] = [];
  for (const { file, text } of files) {
    if (file.startsWith('db/migrations/')) continue;
    const feature = file.split('/')[0]!;
    for (const use of tablesQueried(text, tables)) {
      if (owners.get(use.table) !== feature) out.push({ file, line: use.line, table: use.table, owner: owners.get(use.table) });
    }
  }
  return out;
}

/** The TypeScript files under `dir`, with paths relative to it. */
export function readSources(dir: string): { file: string; text: string }[] {
  return (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: f.split(path.sep).join('/'), text: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

/** The "Table ownership" table of docs/architecture.md: table → owning feature folder. */
export function documentedOwners(markdown: string): Map<string, string> {
  const section = markdown.split(/^## Table ownership$/m)[1]?.split(/^## /m)[0] ?? '';
  const owners = new Map<string, string>();
  for (const row of section.matchAll(/^\|\s*([a-z-]+)\s*\|([^|]+)\|/gm)) {
    if (row[1] === 'feature') continue;
    for (const t of row[2]!.matchAll(/`([a-z_]+)`/g)) owners.set(t[1]!, row[1]!);
  }
  return owners;
}

/** The tables `db/schema.ts` declares in its `Database` interface. */
export function declaredTables(schema: string): string[] {
  const body = schema.split(/export interface Database \{/)[1]?.split('}')[0] ?? '';
  return [...body.matchAll(/^\s*([a-z_]+):/gm)].map((m) => m[1]!);
}
