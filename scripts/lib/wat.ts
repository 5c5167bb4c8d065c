import { readFile } from 'node:fs/promises';
import initWabt from 'wabt';

/** The kernel's text and the generated module that carries its bytes to run time. */
export const GRAM_WAT = new URL('../../src/drift/stats/gram.wat', import.meta.url);
export const GRAM_WASM_TS = new URL('../../src/drift/stats/gram-wasm.ts', import.meta.url);

/** The features gram.wat uses: 128-bit SIMD and a shared (imported) memory. */
const FEATURES = { simd: true, threads: true } as const;

/** Compiles WebAssembly text to its binary with wabt, the WebAssembly project's own toolkit. */
export async function compileWat(file: URL): Promise<Uint8Array> {
  const wabt = await initWabt();
  const module = wabt.parseWat(file.pathname.split('/').at(-1)!, await readFile(file, 'utf8'), FEATURES);
  try {
    // wabt's typings leave out validate's features argument, which it reads: without it
    // the shared memory fails validation.
    const validate: (features: typeof FEATURES) => void = module.validate.bind(module);
    validate(FEATURES);
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

/** Source of gram-wasm.ts for the compiled `bytes`: a string constant, so no step runs at start-up. */
export function gramWasmSource(bytes: Uint8Array): string {
  const base64 = Buffer.from(bytes).toString('base64');
  const lines = base64.match(/.{1,96}/g)!.map((line) => `  '${line}'`).join(' +\n');
  return `// Generated from gram.wat by \`npm run build:wasm\` (scripts/build-wasm.ts); do not edit.
// test/drift/stats/gram-wasm.test.ts checks that compiling gram.wat again gives these bytes.

/** The compiled distance kernel, base64. */
export const GRAM_WASM_BASE64 =
${lines};
`;
}
