// Compiles src/drift/stats/gram.wat into src/drift/stats/gram-wasm.ts (commit both).
// Usage: npm run build:wasm
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compileWat, GRAM_WASM_TS, GRAM_WAT, gramWasmSource } from './lib/wat.js';

const bytes = await compileWat(GRAM_WAT);
await writeFile(GRAM_WASM_TS, gramWasmSource(bytes));
console.log(`${fileURLToPath(GRAM_WASM_TS)}: ${bytes.length} bytes of WebAssembly`);
