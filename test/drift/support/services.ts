import { pino } from 'pino';
import { createContainer, type Container, type Replacements } from '../../../src/composition/container.js';
import { loadConfig } from '../../../src/config.js';
import type { Model } from '../../../src/models/model.js';
import { databaseEnv } from '../../support/database.js';
import { tempDataDir } from '../../support/server.js';
import { modelDefinition, type DriftData } from './generated.js';

/** Settings that keep evaluation under the test's control (no evaluation after ingestion). */
export const MANUAL_EVALUATION = { evaluateEvery: 1_000_000, evaluateAfterSeconds: 1_000_000 };

/** The services on a temp database, without HTTP: fast enough for hundreds of windows. */
export async function openServices(replace?: Replacements): Promise<Container> {
  const dataDir = tempDataDir();
  const config = loadConfig({ DRIFTLOOP_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...(await databaseEnv(dataDir)) });
  return createContainer(config, { log: pino({ level: 'silent' }), replace });
}

/** Creates a model trained on `trainCount` generated examples (80/20 split by id hash). */
export async function trainedModel(s: Container, name: string, gen: DriftData, trainCount: number, drift: Record<string, unknown>): Promise<Model> {
  const { model } = await s.models.put(name, modelDefinition(gen.dim, { drift }));
  for (let i = 0; i < trainCount; i += 500) await s.examples.add(model, gen.examples(Math.min(500, trainCount - i)));
  return model;
}

export function closeServices(s: Container): Promise<void> {
  return s.close();
}
