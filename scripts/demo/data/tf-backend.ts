import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export type TfBackendName = 'wasm' | 'cpu';

/**
 * Selects the WebAssembly backend, or the pure-JS one when WebAssembly cannot
 * start. `tf.setBackend` answers false rather than throwing, so both are checked.
 */
export async function initTfBackend(): Promise<TfBackendName> {
  try {
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      return 'wasm';
    }
  } catch {
    // fall through to the CPU backend
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('TensorFlow.js: neither the wasm nor the cpu backend started');
  await tf.ready();
  return 'cpu';
}
