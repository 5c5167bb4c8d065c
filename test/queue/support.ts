import { expect } from 'vitest';
import { QueueLabeledSource } from '../../src/queue/labeled-source.js';
import { ClusteredData } from '../support/clustered-data.js';
import type { TestServer } from '../support/server.js';
import { ownerReadRepositories } from '../../src/composition/ports.js';

/** A beer taxonomy with visual-dictionary entries. */
export const CONCEPTS = [
  { id: 'lager', description: 'Pale, clear, golden beer with a white head', includes: ['pilsner', 'helles'], excludes: ['cloudy wheat beer'] },
  { id: 'stout', description: 'Near-black beer with a tan head', includes: ['porter', 'dry stout'], excludes: ['brown ale'] },
  { id: 'ipa', description: 'Amber to gold, hazy or clear, hop-forward', includes: ['NEIPA', 'west coast IPA'], excludes: ['amber lager'] },
];
export const CONCEPT_IDS = CONCEPTS.map((c) => c.id);

export interface Fixture {
  model: string;
  data: ClusteredData;
}

/** Puts a 16-dimensional cosine model with 3 clusters of train and eval examples. */
export async function setupModel(server: TestServer, model: string, settings: Record<string, unknown> = {}, seed = 7): Promise<Fixture> {
  const data = new ClusteredData({ dim: 16, clusters: 3, spread: 0.25, seed });
  const put = await server.request('PUT', `/v1/models/${model}`, { task: 'multiclass', embeddingDim: 16, concepts: CONCEPTS, settings });
  expect(put.status).toBe(201);
  const examples = Array.from({ length: 360 }, (_, i) => {
    const c = i % 3;
    return { id: `ex-${i}`, embedding: data.point(c), concepts: [CONCEPT_IDS[c]!], split: i < 300 ? 'train' : 'eval' };
  });
  const added = await server.request('POST', `/v1/models/${model}/examples`, { examples });
  expect(added.status).toBe(200);
  return { model, data };
}

/** Confident scores for concept index `c`. */
export function confident(c: number): Record<string, number> {
  return Object.fromEntries(CONCEPT_IDS.map((id, i) => [id, i === c ? 0.9 : 0.05]));
}

/** Scores with almost no margin between the first two concepts. */
export const UNSURE = { lager: 0.45, stout: 0.44, ipa: 0.11 };

export interface PredictionBody {
  id: string;
  embedding: number[];
  scores: Record<string, number>;
  input?: { url?: string; text?: string };
}

/** Posts predictions and returns the results, failing the test on a non-200. */
export async function ingest(server: TestServer, model: string, predictions: PredictionBody[]) {
  const res = await server.request('POST', `/v1/models/${model}/predictions`, { predictions });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.results as { id: string; queued: boolean; duplicate: boolean; priority: number; ood: { isOod: boolean } }[];
}

/** Random directions: far from every cluster and from each other under cosine. */
export function outliers(data: ClusteredData, n: number): number[][] {
  return Array.from({ length: n }, () => data.outlier(3));
}

export async function claim(server: TestServer, model: string, labeler: string, limit = 1, key?: string) {
  const res = await server.request('POST', `/v1/models/${model}/queue/claim`, { labeler, limit }, key);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as ClaimedItemBody[];
}

export async function label(server: TestServer, model: string, labels: Record<string, unknown>[]) {
  return server.request('POST', `/v1/models/${model}/labels`, { labels });
}

export async function stats(server: TestServer, model: string) {
  const res = await server.request('GET', `/v1/models/${model}/queue`);
  expect(res.status).toBe(200);
  return res.body;
}

interface ClaimedItemBody {
  itemId: string;
  predictionId: string;
  leaseExpiresAt: string;
  priority: number;
  weight: number;
  labelsNeeded: number;
  reasons: string[];
  scores: Record<string, number>;
  input: { url?: string; text?: string } | null;
  neighbors: { id: string; concepts: string[]; distance: number }[];
}


/** What training reads from the queue for `model`: agreed labeled items. */
export async function labeledProduction(server: TestServer, model: string) {
  const { models, database } = server.driftloop.services;
  return new QueueLabeledSource(database.db, ownerReadRepositories.predictions).list((await models.get(model)).id);
}
