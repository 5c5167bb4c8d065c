import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Tf from '@tensorflow/tfjs';

/** The TensorFlow.js namespace the engine runs on. */
export type TfModule = typeof Tf;

/** Which TensorFlow.js backend runs: native libtensorflow, WebAssembly, or plain JavaScript. */
export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface LoadedTf {
  tf: TfModule;
  backend: TfBackendName;
  /** Why a faster backend was not used, for the start-up log. */
  fallbacks: string[];
}

/** How the loader reaches the packages; tests replace parts to exercise the fallbacks. */
export interface TfImporters {
  tfjsNode(): Promise<unknown>;
  tfjs(): Promise<TfModule>;
  wasm(): Promise<{ setWasmPaths(prefix: string): void }>;
}

// Held in a variable so TypeScript does not resolve it: the optional package is often absent.
const TFJS_NODE = '@tensorflow/tfjs-node';

const require = createRequire(import.meta.url);

export const defaultImporters: TfImporters = {
  tfjsNode: () => import(TFJS_NODE),
  tfjs: () => import('@tensorflow/tfjs'),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
};

/** Directory of the wasm binaries inside node_modules (with a trailing separator), so loading works offline. */
function wasmDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

/** Which backends {@link loadTensorflow} may pick. */
export interface TfLoadOptions {
  /**
   * The allowed backends; the fastest allowed one that works wins. Leave out 'tensorflow'
   * where results must repeat on every machine (the demo data builder): native kernels
   * round differently from the wasm and cpu ones.
   */
  backends?: readonly TfBackendName[];
}

const ALL_BACKENDS: readonly TfBackendName[] = ['tensorflow', 'wasm', 'cpu'];

/**
 * Picks the fastest backend that works here: tfjs-node when it loads (its install
 * downloads libtensorflow, so it is optional), else tfjs on WebAssembly, else tfjs on
 * plain JavaScript. Every failure is caught: a skipped tfjs-node install throws a plain
 * Error, not MODULE_NOT_FOUND, and `setBackend` answers false instead of throwing.
 */
export async function loadTensorflow(importers: TfImporters = defaultImporters, options: TfLoadOptions = {}): Promise<LoadedTf> {
  const allowed = new Set(options.backends ?? ALL_BACKENDS);
  const fallbacks: string[] = [];
  if (allowed.has('tensorflow')) {
    try {
      const node = (await importers.tfjsNode()) as TfModule & { default?: TfModule };
      const tf = node.default ?? node;
      if (await tf.setBackend('tensorflow')) return { tf, backend: 'tensorflow', fallbacks };
      fallbacks.push('tfjs-node loaded but its backend did not initialise');
    } catch (err) {
      fallbacks.push(`tfjs-node unavailable: ${firstLine(err)}`);
    }
  }
  const tf = await importers.tfjs();
  if (allowed.has('wasm')) {
    try {
      const wasm = await importers.wasm();
      wasm.setWasmPaths(wasmDir());
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return { tf, backend: 'wasm', fallbacks };
      }
      fallbacks.push('wasm backend did not initialise');
    } catch (err) {
      fallbacks.push(`wasm backend unavailable: ${firstLine(err)}`);
    }
  }
  if (!allowed.has('cpu') || !(await tf.setBackend('cpu'))) {
    throw new Error(`No allowed TensorFlow.js backend works here (${fallbacks.join('; ') || 'none allowed'})`);
  }
  await tf.ready();
  return { tf, backend: 'cpu', fallbacks };
}

// TensorFlow.js keeps one engine per process, so the backend is chosen once per process.
let shared: Promise<LoadedTf> | undefined;

/** The process-wide TensorFlow.js, loaded on first use. */
export function sharedTensorflow(): Promise<LoadedTf> {
  shared ??= loadTensorflow().catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  return shared;
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.slice(0, 300);
}
