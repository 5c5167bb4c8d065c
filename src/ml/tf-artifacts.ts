import fs from 'node:fs/promises';
import path from 'node:path';
import type { io, LayersModel } from '@tensorflow/tfjs';
import { ARTIFACT_FILES } from './classifier.js';
import type { TfModule } from './tf-backend.js';

/**
 * Saves a layers model as `model.json` + `weights.bin` in `dir`. The manifest names the
 * weights file relatively, so `tf.loadLayersModel(url)` fetches it beside model.json.
 */
export async function saveLayersModel(tf: TfModule, model: LayersModel, dir: string, metadata: Record<string, unknown>): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const json: io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        weightsManifest: [{ paths: [ARTIFACT_FILES.weights], weights: artifacts.weightSpecs ?? [] }],
        userDefinedMetadata: metadata as { [key: string]: {} },
      };
      await fs.writeFile(path.join(dir, ARTIFACT_FILES.weights), Buffer.from(weights));
      await fs.writeFile(path.join(dir, ARTIFACT_FILES.model), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

/** Loads a model saved by `saveLayersModel`, with its user-defined metadata. */
export async function loadLayersModel(tf: TfModule, dir: string): Promise<{ model: LayersModel; metadata: Record<string, unknown> }> {
  const json = JSON.parse(await fs.readFile(path.join(dir, ARTIFACT_FILES.model), 'utf8')) as io.ModelJSON;
  const weights = await fs.readFile(path.join(dir, ARTIFACT_FILES.weights));
  const handler: io.IOHandler = {
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        // Copy into a fresh ArrayBuffer: a Buffer may be a view into a shared pool.
        return [specs, weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength)];
      }),
  };
  const model = await tf.loadLayersModel(handler);
  return { model, metadata: (json.userDefinedMetadata ?? {}) as Record<string, unknown> };
}
