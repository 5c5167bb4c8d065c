import type { DemoManifest } from './demo-dataset.js';
import { knnClassify, meanKnnDistances } from './knn.js';
import { DEFAULT_HEAD_OPTIONS, trainSoftmaxHead } from './linear-head.js';

/** Embeddings of one set (as stored, i.e. after quantisation) with truth and the production model's answer. */
export interface EvaluatedSet {
  embeddings: Float32Array;
  concepts: string[];
  predicted: string[];
}

export interface BaselineInput {
  dim: number;
  knownConcepts: readonly string[];
  train: EvaluatedSet;
  prodClean: EvaluatedSet;
  prodUgc: EvaluatedSet;
  evalClean: EvaluatedSet;
  evalUgc: EvaluatedSet;
  seed: number;
  /** Called after each of the four measurements. */
  onStep?: (label: string) => void;
}

export type BaselineFigures = DemoManifest['baseline'];
type Accuracy = BaselineFigures['productionModel'];

export const OOD_K = 10;
export const OOD_QUANTILE = 0.95;

/**
 * The figures the demo should reproduce: the production model's drop from
 * clean to phone data, and that heads on the same frozen embeddings recover
 * once phone data is labeled (held-out concepts included).
 */
export async function measureBaseline(input: BaselineInput): Promise<BaselineFigures> {
  const known = new Set(input.knownConcepts);
  const { dim, train, prodUgc, evalClean, evalUgc } = input;
  const accuracy = (predictClean: string[], predictUgc: string[]): Accuracy => ({
    clean: share(predictClean, evalClean.concepts),
    ugcKnown: share(predictUgc, evalUgc.concepts, (c) => known.has(c)),
    ugcAll: share(predictUgc, evalUgc.concepts),
  });
  const heads = async (embeddings: Float32Array, labels: string[]): Promise<BaselineFigures['cleanOnlyHead']> => {
    const head = await trainSoftmaxHead(embeddings, labels, dim, { ...DEFAULT_HEAD_OPTIONS, seed: input.seed });
    const softmax = accuracy(head.predict(evalClean.embeddings), head.predict(evalUgc.embeddings));
    head.dispose();
    const knn = accuracy(
      knnClassify(embeddings, labels, evalClean.embeddings, dim, OOD_K),
      knnClassify(embeddings, labels, evalUgc.embeddings, dim, OOD_K),
    );
    return { softmax, knn };
  };
  const step = <T>(label: string, value: T): T => {
    input.onStep?.(label);
    return value;
  };
  const productionModel = step('production model', accuracy(evalClean.predicted, evalUgc.predicted));
  const cleanOnlyHead = step('clean-only heads', await heads(train.embeddings, train.concepts));
  const withUgc = concatRows(train.embeddings, prodUgc.embeddings);
  const withUgcLabelsHead = step('heads with phone labels', await heads(withUgc, [...train.concepts, ...prodUgc.concepts]));
  const ood = step('OOD share', measureOod(input, known));
  return { productionModel, cleanOnlyHead, withUgcLabelsHead, ood };
}

/** Share flagged OOD per stream, calibrated on the clean eval set as the conformal reference. */
function measureOod(input: BaselineInput, known: ReadonlySet<string>): BaselineFigures['ood'] {
  const { dim, train } = input;
  const calibration = meanKnnDistances(train.embeddings, input.evalClean.embeddings, dim, OOD_K);
  const isOod = (distance: number): boolean =>
    calibration.filter((c) => c < distance).length / calibration.length >= OOD_QUANTILE;
  const rate = (set: EvaluatedSet, keep: (concept: string) => boolean = () => true): number => {
    const distances = meanKnnDistances(train.embeddings, set.embeddings, dim, OOD_K);
    const flags = distances.map(isOod).filter((_, i) => keep(set.concepts[i] as string));
    return round4(flags.filter(Boolean).length / flags.length);
  };
  return {
    k: OOD_K,
    quantile: OOD_QUANTILE,
    prodClean: rate(input.prodClean),
    prodUgcKnown: rate(input.prodUgc, (c) => known.has(c)),
    prodUgcHeldOut: rate(input.prodUgc, (c) => !known.has(c)),
  };
}

function share(predicted: readonly string[], truth: readonly string[], keep: (c: string) => boolean = () => true): number {
  let total = 0;
  let correct = 0;
  truth.forEach((concept, i) => {
    if (!keep(concept)) return;
    total += 1;
    if (predicted[i] === concept) correct += 1;
  });
  return total === 0 ? 0 : round4(correct / total);
}

function concatRows(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function round4(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
