/** A grayscale image with intensities in [0, 1], row-major. */
export interface GrayImage {
  width: number;
  height: number;
  data: Float32Array;
}

export function imageFromBytes(bytes: Uint8Array, width: number, height: number): GrayImage {
  if (bytes.length !== width * height) throw new Error('image: byte count does not match size');
  const data = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) data[i] = (bytes[i] as number) / 255;
  return { width, height, data };
}

/** Clamps to [0, 1] and rounds to 8 bits, as a camera file would. */
export function imageToBytes(image: GrayImage): Uint8Array {
  const out = new Uint8Array(image.data.length);
  for (let i = 0; i < image.data.length; i++) {
    const v = image.data[i] as number;
    out[i] = Math.round(Math.min(1, Math.max(0, v)) * 255);
  }
  return out;
}

export function blankLike(image: GrayImage): GrayImage {
  return { width: image.width, height: image.height, data: new Float32Array(image.data.length) };
}

/** Bilinear sample with a constant value outside the frame. */
export function sampleBilinear(image: GrayImage, x: number, y: number, outside: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx: number, yy: number): number =>
    xx < 0 || yy < 0 || xx >= image.width || yy >= image.height
      ? outside
      : (image.data[yy * image.width + xx] as number);
  const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
  const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}
