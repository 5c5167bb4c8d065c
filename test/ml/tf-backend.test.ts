import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultImporters, loadTensorflow, type TfModule } from '../../src/ml/tf-backend.js';

const require = createRequire(import.meta.url);

function tfjsNodeInstalled(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

/** tfjs whose setBackend answers false for one backend, as tfjs does when a backend fails to initialise. */
function refusing(tf: TfModule, backend: string): TfModule {
  return new Proxy(tf, {
    get(target, prop, receiver) {
      if (prop === 'setBackend') return async (name: string) => (name === backend ? false : target.setBackend(name));
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

describe('TensorFlow.js backend', () => {
  afterAll(async () => {
    // The engine is process-wide: leave it on the backend the service would pick.
    await (await loadTensorflow()).tf.ready();
  });

  it('when the packages are as installed here, then the fastest working backend runs and the choice is explained', async () => {
    const loaded = await loadTensorflow();
    expect(loaded.backend).toBe(tfjsNodeInstalled() ? 'tensorflow' : 'wasm');
    expect(loaded.tf.getBackend()).toBe(loaded.backend);
    if (loaded.backend !== 'tensorflow') expect(loaded.fallbacks[0]).toMatch(/tfjs-node unavailable/);
  });

  it('when tfjs-node throws a plain Error on import (a skipped install), then tfjs falls back to wasm', async () => {
    const loaded = await loadTensorflow({
      ...defaultImporters,
      tfjsNode: async () => {
        throw new Error('The Node.js native addon module (tfjs_binding.node) can not be found');
      },
    });
    expect(loaded.backend).toBe('wasm');
    expect(loaded.fallbacks).toEqual(['tfjs-node unavailable: The Node.js native addon module (tfjs_binding.node) can not be found']);
  });

  it('when the wasm backend answers false instead of throwing, then the cpu backend runs', async () => {
    const loaded = await loadTensorflow({
      ...defaultImporters,
      tfjsNode: async () => {
        throw new Error('no libtensorflow');
      },
      tfjs: async () => refusing(await defaultImporters.tfjs(), 'wasm'),
    });
    expect(loaded.backend).toBe('cpu');
    expect(loaded.fallbacks).toContain('wasm backend did not initialise');
    const sum = loaded.tf.tidy(() => loaded.tf.add(loaded.tf.tensor1d([1, 2]), 1).dataSync());
    expect(Array.from(sum)).toEqual([2, 3]);
    expect(await (await defaultImporters.tfjs()).setBackend('wasm')).toBe(true);
  });

  it('when the allowed backends leave out tensorflow (the demo builder), then tfjs-node is never imported and wasm runs', async () => {
    let nodeImported = false;
    const loaded = await loadTensorflow(
      {
        ...defaultImporters,
        tfjsNode: async () => {
          nodeImported = true;
          return defaultImporters.tfjs();
        },
      },
      { backends: ['wasm', 'cpu'] },
    );
    expect(nodeImported).toBe(false);
    expect(loaded).toMatchObject({ backend: 'wasm', fallbacks: [] });
  });

  it('when only cpu is allowed, then cpu runs; when no allowed backend works, then loading fails and says why', async () => {
    const cpu = await loadTensorflow(defaultImporters, { backends: ['cpu'] });
    expect(cpu.backend).toBe('cpu');
    expect(cpu.tf.getBackend()).toBe('cpu');
    const refusingWasm = { ...defaultImporters, tfjs: async () => refusing(await defaultImporters.tfjs(), 'wasm') };
    await expect(loadTensorflow(refusingWasm, { backends: ['wasm'] })).rejects.toThrow(/wasm backend did not initialise/);
    expect(await (await defaultImporters.tfjs()).setBackend('wasm')).toBe(true);
  });
});
