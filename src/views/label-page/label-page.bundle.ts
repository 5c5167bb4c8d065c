import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const ENTRY = fileURLToPath(new URL('./client/main.ts', import.meta.url));
let bundled: string | undefined;

/**
 * The labeling page's browser code: `client/` (TypeScript, type-checked with the DOM library by
 * tsconfig.browser.json in `npm test`), bundled by esbuild into one script on first use. esbuild
 * runs locally, so the page needs no build step and nothing from the network.
 */
export function labelPageScript(): string {
  bundled ??= buildSync({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    charset: 'utf8',
    logLevel: 'silent',
  }).outputFiles[0]!.text;
  return bundled;
}
