import { join } from 'node:path';
import { readIdxFile } from './idx.js';
import type { IdxTensor } from './idx.js';

export const FMNIST_SIDE = 28;
export const FMNIST_PIXELS = FMNIST_SIDE * FMNIST_SIDE;

/** Where Debian's `dataset-fashion-mnist` package puts the files. */
export const DEFAULT_FMNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface FmnistSplit {
  count: number;
  /** count × 784 bytes, row-major 28x28, white garment on black. */
  images: Uint8Array;
  labels: Uint8Array;
}

export interface FashionMnist {
  train: FmnistSplit;
  test: FmnistSplit;
}

export async function loadFashionMnist(dir: string): Promise<FashionMnist> {
  return {
    train: await loadSplit(dir, 'train'),
    test: await loadSplit(dir, 't10k'),
  };
}

export function imageBytes(split: FmnistSplit, index: number): Uint8Array {
  return split.images.subarray(index * FMNIST_PIXELS, (index + 1) * FMNIST_PIXELS);
}

async function loadSplit(dir: string, prefix: 'train' | 't10k'): Promise<FmnistSplit> {
  const images = await readOrExplain(join(dir, `${prefix}-images-idx3-ubyte.gz`));
  const labels = await readOrExplain(join(dir, `${prefix}-labels-idx1-ubyte.gz`));
  const [count, rows, cols] = images.dims;
  if (images.dims.length !== 3 || rows !== FMNIST_SIDE || cols !== FMNIST_SIDE) {
    throw new Error(`${prefix} images: expected n×28×28, got ${images.dims.join('×')}`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== count) {
    throw new Error(`${prefix} labels: expected ${count} labels, got ${labels.dims.join('×')}`);
  }
  return { count, images: images.data, labels: labels.data };
}

async function readOrExplain(path: string): Promise<IdxTensor> {
  try {
    return await readIdxFile(path);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      throw new Error(`${path} not found: install the Debian package dataset-fashion-mnist or point the build at a copy`);
    }
    throw error;
  }
}
