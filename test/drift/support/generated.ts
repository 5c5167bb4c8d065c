import { ClusteredData } from '../../support/clustered-data.js';
import { mulberry32 } from '../../../src/util/random.js';

export const CONCEPTS = ['lager', 'stout', 'ipa', 'wheat'];

/** Model definition used by the drift tests (settings merged over these). */
export function modelDefinition(dim: number, settings: Record<string, unknown> = {}) {
  return { task: 'multiclass' as const, embeddingDim: dim, encoder: 'enc@1', concepts: CONCEPTS.map((id) => ({ id })), settings };
}

/** Seeded generator of training examples and production predictions over a Gaussian mixture. */
export class DriftData {
  readonly data: ClusteredData;
  /** Cluster centres that training never saw: the "new regions" of production. */
  readonly novel: ClusteredData;
  private readonly rand: () => number;
  private next = 0;

  constructor(
    readonly dim = 16,
    seed = 7,
    readonly spread = 0.3,
  ) {
    this.data = new ClusteredData({ dim, clusters: CONCEPTS.length, spread, seed });
    this.novel = new ClusteredData({ dim, clusters: 3, spread, seed: seed + 1000 });
    this.rand = mulberry32(seed * 7919 + 1);
  }

  /** Cluster drawn from `prior` (uniform when omitted). */
  cluster(prior?: number[]): number {
    if (!prior) return Math.floor(this.rand() * CONCEPTS.length);
    let u = this.rand();
    for (let i = 0; i < prior.length; i++) {
      u -= prior[i]!;
      if (u < 0) return i;
    }
    return prior.length - 1;
  }

  examples(n: number, prefix = 'ex') {
    return Array.from({ length: n }, () => {
      const c = this.cluster();
      return { id: `${prefix}-${this.next++}`, embedding: this.data.point(c), concepts: [CONCEPTS[c]!] };
    });
  }

  /** Predictions from the training distribution, optionally with every axis shifted, another prior, or lower confidence. */
  predictions(n: number, opts: { shift?: number; prior?: number[]; confidence?: [number, number]; prefix?: string } = {}) {
    const [lo, hi] = opts.confidence ?? [0.55, 0.95];
    return Array.from({ length: n }, () => {
      const c = this.cluster(opts.prior);
      return {
        id: `${opts.prefix ?? 'p'}-${this.next++}`,
        embedding: this.data.point(c, opts.shift ?? 0),
        scores: this.data.scores(CONCEPTS, c, lo + (hi - lo) * this.rand()),
      };
    });
  }

  /** Predictions from unseen cluster `region` of `novel`, with low confidence. */
  newRegion(n: number, region: number, input?: (i: number) => { url?: string; text?: string }) {
    return Array.from({ length: n }, (_, i) => {
      const c = this.cluster();
      return {
        id: `region${region}-${this.next++}`,
        embedding: this.novel.point(region),
        scores: this.data.scores(CONCEPTS, c, 0.35 + 0.3 * this.rand()),
        ...(input ? { input: input(i) } : {}),
      };
    });
  }

  /** Predictions far from every training cluster (scattered outliers). */
  outliers(n: number, prefix = 'out') {
    return Array.from({ length: n }, () => {
      const c = this.cluster();
      return { id: `${prefix}-${this.next++}`, embedding: this.data.outlier(3), scores: this.data.scores(CONCEPTS, c, 0.4 + 0.3 * this.rand()) };
    });
  }
}
