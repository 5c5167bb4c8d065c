import { readFile } from 'node:fs/promises';
import initWabt from 'wabt';

/** A hand-written WebAssembly kernel: its text, and the generated module that carries its bytes to run time. */
export interface WasmKernel {
  wat: URL;
  ts: URL;
  /** The base64 constant the generated module exports, and what it is. */
  constant: string;
  what: string;
  /** The test that compiles the text again and compares. */
  test: string;
}

export const GRAM_KERNEL: WasmKernel = {
  wat: new URL('../../src/drift/stats/gram.wat', import.meta.url),
  ts: new URL('../../src/drift/stats/gram-wasm.ts', import.meta.url),
  constant: 'GRAM_WASM_BASE64',
  what: 'distance kernel',
  test: 'test/drift/stats/gram-wasm.test.ts',
};

export const ROW_DISTANCES_KERNEL: WasmKernel = {
  wat: new URL('../../src/health/row-distances.wat', import.meta.url),
  ts: new URL('../../src/health/row-distances-wasm.ts', import.meta.url),
  constant: 'ROW_DISTANCES_WASM_BASE64',
  what: 'row-distance kernel',
  test: 'test/health/row-distances.test.ts',
};

export const WASM_KERNELS = [GRAM_KERNEL, ROW_DISTANCES_KERNEL];

/** The features the kernels use: 128-bit SIMD and a shared (imported) memory. */
const FEATURES = { simd: true, threads: true } as const;

/** Compiles WebAssembly text to its binary with wabt, the WebAssembly project's own toolkit. */
export async function compileWat(file: URL): Promise<Uint8Array> {
  const wabt = await initWabt();
  const module = wabt.parseWat(file.pathname.split('/').at(-1)!, await readFile(file, 'utf8'), FEATURES);
  try {
    // wabt's typings leave out validate's features argument, which it reads: without it
    // a shared memory fails validation.
    const validate: (features: typeof FEATURES) => void = module.validate.bind(module);
    validate(FEATURES);
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

/** Source of a kernel's generated module for the compiled `bytes`: a string constant, so no step runs at start-up. */
export function wasmSource(kernel: WasmKernel, bytes: Uint8Array): string {
  const base64 = Buffer.from(bytes).toString('base64');
  const lines = base64.match(/.{1,96}/g)!.map((line) => `  '${line}'`).join(' +\n');
  const wat = kernel.wat.pathname.split('/').at(-1)!;
  return `// Generated from ${wat} by \`npm run build:wasm\` (scripts/build-wasm.ts); do not edit.
// ${kernel.test} checks that compiling ${wat} again gives these bytes.

/** The compiled ${kernel.what}, base64. */
export const ${kernel.constant} =
${lines};
`;
}
