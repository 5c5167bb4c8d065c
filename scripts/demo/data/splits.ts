import { FMNIST_CONCEPTS } from './concepts.js';
import { createRng, deriveSeed, shuffled } from './prng.js';

/** Images per concept in each part; every part is disjoint from the others. */
export interface SplitSizes {
  /** Fashion-MNIST train images the CNN learns from (known concepts). */
  cnnPerClass: number;
  /** Further train images that become driftloop training examples (known concepts). */
  trainPerClass: number;
  /** Test images, known concepts, sent as clean production traffic. */
  prodCleanPerClass: number;
  /** Test images, all concepts, corrupted and sent as phone production traffic. */
  prodUgcPerClass: number;
  evalCleanPerClass: number;
  evalUgcPerClass: number;
}

export const DEFAULT_SPLIT_SIZES: SplitSizes = {
  cnnPerClass: 2500,
  trainPerClass: 600,
  prodCleanPerClass: 200,
  prodUgcPerClass: 300,
  evalCleanPerClass: 150,
  evalUgcPerClass: 200,
};

/** Image indices per part: `cnn` and `train` index the train file, the rest the t10k file. */
export interface SplitPlan {
  cnn: number[];
  train: number[];
  prodClean: number[];
  prodUgc: number[];
  evalClean: number[];
  evalUgc: number[];
}

export function planSplits(trainLabels: Uint8Array, testLabels: Uint8Array, sizes: SplitSizes, seed: number): SplitPlan {
  const plan: SplitPlan = { cnn: [], train: [], prodClean: [], prodUgc: [], evalClean: [], evalUgc: [] };
  for (const concept of FMNIST_CONCEPTS) {
    const known = concept.role === 'known';
    const trainPool = shuffled(indicesOf(trainLabels, concept.label), createRng(deriveSeed(seed, 'split-train', concept.label)));
    const testPool = shuffled(indicesOf(testLabels, concept.label), createRng(deriveSeed(seed, 'split-test', concept.label)));
    const takeTrain = taker(trainPool, concept.id);
    const takeTest = taker(testPool, concept.id);
    if (known) {
      plan.cnn.push(...takeTrain(sizes.cnnPerClass));
      plan.train.push(...takeTrain(sizes.trainPerClass));
      plan.prodClean.push(...takeTest(sizes.prodCleanPerClass));
      plan.evalClean.push(...takeTest(sizes.evalCleanPerClass));
    }
    plan.prodUgc.push(...takeTest(sizes.prodUgcPerClass));
    plan.evalUgc.push(...takeTest(sizes.evalUgcPerClass));
  }
  // Interleave concepts, as real traffic would be.
  const mix = (part: keyof SplitPlan): number[] => shuffled(plan[part], createRng(deriveSeed(seed, 'order', part)));
  return {
    cnn: mix('cnn'),
    train: mix('train'),
    prodClean: mix('prodClean'),
    prodUgc: mix('prodUgc'),
    evalClean: mix('evalClean'),
    evalUgc: mix('evalUgc'),
  };
}

function indicesOf(labels: Uint8Array, label: number): number[] {
  const out: number[] = [];
  labels.forEach((value, index) => {
    if (value === label) out.push(index);
  });
  return out;
}

function taker(pool: number[], conceptId: string): (count: number) => number[] {
  let next = 0;
  return (count) => {
    if (next + count > pool.length) throw new Error(`splits: not enough images of ${conceptId}`);
    next += count;
    return pool.slice(next - count, next);
  };
}
