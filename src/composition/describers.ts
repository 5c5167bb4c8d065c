import type { DriftService } from '../drift/drift.service.js';
import type { ModelDescriber } from '../models/model-descriptions.js';
import type { QueueService } from '../queue/queue.service.js';
import type { ReferenceRegistry } from '../reference/reference.registry.js';
import type { VersionsService } from '../training/versions.service.js';

/** What other features add to a model's description, in the order the API shows them. */
export function modelDescribers(f: { references: ReferenceRegistry; versions: VersionsService; queue: QueueService; drift: DriftService }): ModelDescriber[] {
  return [
    async (m) => ({ calibration: (await f.references.get(m)).calibrationSource() }),
    async (m) => {
      const { snapshot, lastEvent } = await f.drift.latest(m);
      return { drift: { status: snapshot?.status ?? null, score: snapshot?.score ?? null, evaluatedAt: snapshot?.at ?? null, lastEventAt: lastEvent?.at ?? null } };
    },
    async (m) => ({ champion: await f.versions.championSummary(m) }),
    async (m) => ({ queue: await f.queue.depth(m) }),
  ];
}
