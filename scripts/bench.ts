/**
 * Benchmarks: `npm run bench -- <name> [options]`. Each lives in scripts/bench/<name>.ts
 * and prints its figures; none of them asserts timings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench');
const available = fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [options]`);
  process.exit(2);
}
process.argv = [process.argv[0]!, path.join(dir, `${name}.ts`), ...rest];
await import(`./bench/${name}.ts`);
