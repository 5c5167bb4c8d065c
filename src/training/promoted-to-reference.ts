import type { Logger } from 'pino';
import type { ExamplesService } from '../examples/examples.service.js';
import type { Model } from '../models/model.js';
import type { LabeledProductionSource } from './labeled-production.js';
import { resolveItemConcepts } from './training-data.js';
import type { ModelVersion } from './version.js';

export interface ReferenceJoinDeps {
  labeled: LabeledProductionSource;
  examples: ExamplesService;
  log: Logger;
}

/** The example id a labeled production item gets in the reference distribution; prefixed so it never collides with an uploaded example's id. */
function productionExampleId(itemId: string): string {
  return `production:${itemId}`;
}

/** On promotion, the labeled production items the version learned from join the model's reference distribution. */
export async function addPromotedToReference(deps: ReferenceJoinDeps, model: Model, v: ModelVersion): Promise<void> {
  const ids = new Set([...v.trainedOn.production.itemIds.train, ...v.trainedOn.production.itemIds.eval]);
  if (ids.size === 0) return;
  const concepts = new Set(v.concepts);
  const items = (await deps.labeled.list(model.id)).filter((i) => ids.has(i.id) && i.embedding.length === model.embeddingDim);
  const examples = items.flatMap((item) => {
    const resolved = resolveItemConcepts(model.task, item, concepts);
    return resolved ? [{ id: productionExampleId(item.id), embedding: Array.from(item.embedding), concepts: resolved, split: item.split }] : [];
  });
  const added = await deps.examples.add(model, examples, 'production');
  deps.log.info({ model: model.name, version: v.version, ...added }, 'labeled production items joined the reference distribution');
}
