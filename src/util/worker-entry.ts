import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The URL to start a worker thread from the module `file` next to `base` (an
 * `import.meta.url`). Run from TypeScript sources (tsx, vitest), the thread first registers
 * tsx so that it can import `.ts` files; built, it is the `.js` file itself.
 */
export function workerEntryUrl(file: string, base: string): URL {
  const ext = path.extname(fileURLToPath(base));
  const entry = new URL(`./${file}${ext}`, base);
  if (ext !== '.ts') return entry;
  const tsx = import.meta.resolve('tsx/esm/api');
  const prelude = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(entry.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(prelude)}`);
}
