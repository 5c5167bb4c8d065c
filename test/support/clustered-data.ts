import { gaussian, mulberry32 } from '../../src/util/random.js';

/** Options for generated clustered embeddings: a Gaussian mixture, like real embeddings and unlike uniform noise. */
export interface ClusterSpec {
  dim: number;
  clusters: number;
  /** Spread of points around their cluster centre, relative to the centres' spread (1). */
  spread: number;
  seed: number;
}

/** A reproducible Gaussian mixture with one concept per cluster. */
export class ClusteredData {
  readonly centers: number[][];
  private readonly normal: () => number;
  private readonly rand: () => number;

  constructor(readonly spec: ClusterSpec) {
    this.rand = mulberry32(spec.seed);
    this.normal = gaussian(this.rand);
    this.centers = Array.from({ length: spec.clusters }, () => Array.from({ length: spec.dim }, () => this.normal()));
  }

  /** A point of cluster `c`, optionally shifted along every axis by `shift`. */
  point(c: number, shift = 0): number[] {
    const center = this.centers[c % this.centers.length]!;
    return center.map((x) => x + shift + this.spec.spread * this.normal());
  }

  /** A random cluster index. */
  cluster(): number {
    return Math.floor(this.rand() * this.centers.length);
  }

  /** A point far from every cluster (a new region). */
  outlier(scale = 3): number[] {
    return Array.from({ length: this.spec.dim }, () => scale * this.normal());
  }

  /** Softmax-like scores that favour cluster `c` with confidence `top`. */
  scores(concepts: string[], c: number, top = 0.8): Record<string, number> {
    const rest = (1 - top) / Math.max(1, concepts.length - 1);
    return Object.fromEntries(concepts.map((id, i) => [id, i === c % concepts.length ? top : rest]));
  }
}
