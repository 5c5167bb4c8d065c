// Compiles each WebAssembly kernel's text (gram.wat, row-distances.wat) into its generated
// TypeScript module (commit both). Usage: npm run build:wasm
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compileWat, WASM_KERNELS, wasmSource } from './lib/wat.js';

for (const kernel of WASM_KERNELS) {
  const bytes = await compileWat(kernel.wat);
  await writeFile(kernel.ts, wasmSource(kernel, bytes));
  console.log(`${fileURLToPath(kernel.ts)}: ${bytes.length} bytes of WebAssembly`);
}
