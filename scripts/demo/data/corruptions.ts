import { blankLike, sampleBilinear } from './image.js';
import type { GrayImage } from './image.js';
import type { Rng } from './prng.js';

/** Off-centre, tilted framing: a hand-held phone instead of a tripod. */
export interface Framing {
  rotationDeg: number;
  scale: number;
  shiftX: number;
  shiftY: number;
}

/** Uneven, dim or washed-out light on a non-black surface. */
export interface Lighting {
  /** Level the black studio background is lifted to (a table, a wall). */
  background: number;
  contrast: number;
  gamma: number;
  /** Peak-to-peak strength of a linear illumination gradient. */
  gradient: number;
  gradientAngleDeg: number;
}

/** A rectangle of clutter or a finger over the object. */
export interface OcclusionPatch {
  x: number;
  y: number;
  width: number;
  height: number;
  kind: 'solid' | 'texture';
  level: number;
}

/** Every parameter of one phone-like corruption, kept with the record. */
export interface CorruptionParams {
  framing: Framing;
  occlusions: OcclusionPatch[];
  lighting: Lighting;
  blurSigma: number;
  noiseSigma: number;
}

/** The flat, rounded form of {@link CorruptionParams} kept in record metadata. */
export interface CorruptionSummary {
  rotationDeg: number;
  scale: number;
  shiftX: number;
  shiftY: number;
  occlusions: number;
  background: number;
  contrast: number;
  gamma: number;
  gradient: number;
  blurSigma: number;
  noiseSigma: number;
}

/** Parameter ranges of {@link samplePhoneCorruption}; documented in the demo README. */
export const PHONE_CORRUPTION_RANGES = {
  rotationDeg: [-12, 12],
  scale: [0.9, 1.1],
  shiftPx: [-1.5, 1.5],
  occlusionCount: { 0: 0.5, 1: 0.35, 2: 0.15 },
  occlusionSidePx: [4, 9],
  background: [0.05, 0.3],
  contrast: [0.5, 1.0],
  gamma: [0.6, 1.6],
  gradient: [0, 0.3],
  blurSigmaPx: [0.3, 1.3],
  noiseSigma: [0.02, 0.1],
} as const;

export function transform(image: GrayImage, framing: Framing): GrayImage {
  const out = blankLike(image);
  const cx = (image.width - 1) / 2;
  const cy = (image.height - 1) / 2;
  const angle = (framing.rotationDeg * Math.PI) / 180;
  const cos = Math.cos(angle) / framing.scale;
  const sin = Math.sin(angle) / framing.scale;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const dx = x - cx - framing.shiftX;
      const dy = y - cy - framing.shiftY;
      const sx = cos * dx + sin * dy + cx;
      const sy = -sin * dx + cos * dy + cy;
      out.data[y * image.width + x] = sampleBilinear(image, sx, sy, 0);
    }
  }
  return out;
}

export function occlude(image: GrayImage, patches: readonly OcclusionPatch[], rng: Rng): GrayImage {
  const out = { ...image, data: image.data.slice() };
  for (const patch of patches) {
    for (let y = patch.y; y < Math.min(image.height, patch.y + patch.height); y++) {
      for (let x = patch.x; x < Math.min(image.width, patch.x + patch.width); x++) {
        const jitter = patch.kind === 'texture' ? rng.uniform(-0.3, 0.3) : 0;
        out.data[y * image.width + x] = Math.min(1, Math.max(0, patch.level + jitter));
      }
    }
  }
  return out;
}

export function adjustLighting(image: GrayImage, lighting: Lighting): GrayImage {
  const out = blankLike(image);
  const angle = (lighting.gradientAngleDeg * Math.PI) / 180;
  const ux = Math.cos(angle) / image.width;
  const uy = Math.sin(angle) / image.height;
  const cx = (image.width - 1) / 2;
  const cy = (image.height - 1) / 2;
  const span = lighting.background + (1 - lighting.background) * lighting.contrast;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const i = y * image.width + x;
      const v = Math.pow(image.data[i] as number, lighting.gamma);
      const ramp = (x - cx) * ux + (y - cy) * uy;
      out.data[i] = lighting.background + (span - lighting.background) * v + lighting.gradient * ramp;
    }
  }
  return out;
}

export function gaussianBlur(image: GrayImage, sigma: number): GrayImage {
  if (sigma <= 0) return { ...image, data: image.data.slice() };
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel: number[] = [];
  let sum = 0;
  for (let k = -radius; k <= radius; k++) {
    const w = Math.exp(-(k * k) / (2 * sigma * sigma));
    kernel.push(w);
    sum += w;
  }
  const weights = kernel.map((w) => w / sum);
  const pass = (src: GrayImage, horizontal: boolean): GrayImage => {
    const out = blankLike(src);
    for (let y = 0; y < src.height; y++) {
      for (let x = 0; x < src.width; x++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) {
          const xx = horizontal ? Math.min(src.width - 1, Math.max(0, x + k)) : x;
          const yy = horizontal ? y : Math.min(src.height - 1, Math.max(0, y + k));
          acc += (weights[k + radius] as number) * (src.data[yy * src.width + xx] as number);
        }
        out.data[y * src.width + x] = acc;
      }
    }
    return out;
  };
  return pass(pass(image, true), false);
}

export function addGaussianNoise(image: GrayImage, sigma: number, rng: Rng): GrayImage {
  const out = blankLike(image);
  for (let i = 0; i < image.data.length; i++) {
    out.data[i] = (image.data[i] as number) + sigma * rng.normal();
  }
  return out;
}

/** Draws one phone-like corruption; see {@link PHONE_CORRUPTION_RANGES}. */
export function samplePhoneCorruption(rng: Rng, width: number, height: number): CorruptionParams {
  const r = PHONE_CORRUPTION_RANGES;
  const framing: Framing = {
    rotationDeg: rng.uniform(r.rotationDeg[0], r.rotationDeg[1]),
    scale: rng.uniform(r.scale[0], r.scale[1]),
    shiftX: rng.uniform(r.shiftPx[0], r.shiftPx[1]),
    shiftY: rng.uniform(r.shiftPx[0], r.shiftPx[1]),
  };
  const roll = rng.next();
  const count = roll < r.occlusionCount[0] ? 0 : roll < r.occlusionCount[0] + r.occlusionCount[1] ? 1 : 2;
  const occlusions: OcclusionPatch[] = [];
  for (let i = 0; i < count; i++) {
    const w = rng.int(r.occlusionSidePx[0], r.occlusionSidePx[1]);
    const h = rng.int(r.occlusionSidePx[0], r.occlusionSidePx[1]);
    occlusions.push({
      x: rng.int(0, width - w),
      y: rng.int(0, height - h),
      width: w,
      height: h,
      kind: rng.next() < 0.5 ? 'solid' : 'texture',
      level: rng.uniform(0.2, 0.9),
    });
  }
  const lighting: Lighting = {
    background: rng.uniform(r.background[0], r.background[1]),
    contrast: rng.uniform(r.contrast[0], r.contrast[1]),
    gamma: Math.exp(rng.uniform(Math.log(r.gamma[0]), Math.log(r.gamma[1]))),
    gradient: rng.uniform(r.gradient[0], r.gradient[1]),
    gradientAngleDeg: rng.uniform(0, 360),
  };
  return {
    framing,
    occlusions,
    lighting,
    blurSigma: rng.uniform(r.blurSigmaPx[0], r.blurSigmaPx[1]),
    noiseSigma: rng.uniform(r.noiseSigma[0], r.noiseSigma[1]),
  };
}

/**
 * Applies a corruption in the order a phone photo acquires its flaws:
 * framing, clutter, light, lens blur, then sensor noise.
 */
export function applyCorruption(image: GrayImage, params: CorruptionParams, rng: Rng): GrayImage {
  const framed = transform(image, params.framing);
  const cluttered = occlude(framed, params.occlusions, rng);
  const lit = adjustLighting(cluttered, params.lighting);
  const blurred = gaussianBlur(lit, params.blurSigma);
  return addGaussianNoise(blurred, params.noiseSigma, rng);
}

/** The parameters rounded to two decimals, as stored in record metadata. */
export function summarizeCorruption(params: CorruptionParams): CorruptionSummary {
  const r = (v: number): number => Math.round(v * 100) / 100;
  return {
    rotationDeg: r(params.framing.rotationDeg),
    scale: r(params.framing.scale),
    shiftX: r(params.framing.shiftX),
    shiftY: r(params.framing.shiftY),
    occlusions: params.occlusions.length,
    background: r(params.lighting.background),
    contrast: r(params.lighting.contrast),
    gamma: r(params.lighting.gamma),
    gradient: r(params.lighting.gradient),
    blurSigma: r(params.blurSigma),
    noiseSigma: r(params.noiseSigma),
  };
}
