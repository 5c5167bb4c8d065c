import path from 'node:path';
import type { Classifier, Trainer } from '../ml/classifier.js';
import type { ModelVersion } from './version.js';

/** Loaded classifiers by version, least recently used evicted, so predict does not reload artifacts. */
export class ClassifierCache {
  private readonly loaded = new Map<number, Promise<Classifier>>();

  constructor(
    private readonly trainer: Trainer,
    private readonly dir: string,
    private readonly capacity = 8,
  ) {}

  get(version: ModelVersion): Promise<Classifier> {
    let entry = this.loaded.get(version.id);
    if (entry) {
      this.loaded.delete(version.id);
    } else {
      entry = this.trainer.load(path.join(this.dir, version.artifactDir));
      entry.catch(() => this.loaded.delete(version.id));
    }
    this.loaded.set(version.id, entry);
    for (const [id, evicted] of this.loaded) {
      if (this.loaded.size <= this.capacity) break;
      this.loaded.delete(id);
      void evicted.then((c) => c.dispose(), () => undefined);
    }
    return entry;
  }

  /** Disposes every loaded classifier. */
  async clear(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    for (const c of await Promise.allSettled(all)) if (c.status === 'fulfilled') c.value.dispose();
  }
}
