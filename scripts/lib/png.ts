import * as zlib from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Pixel layout of the bytes given to {@link encodePng}: one byte per pixel, or three (R, G, B). */
export type PngColor = 'gray' | 'rgb';

export interface PngOptions {
  color?: PngColor;
  /** Integer upscaling with nearest neighbour, so tiny images stay crisp. */
  scale?: number;
  /** zlib level: 9 (the default) for committed data, lower where encoding time matters more than size. */
  level?: number;
}

const CHANNELS: Record<PngColor, number> = { gray: 1, rgb: 3 };
// PNG colour types: 0 grayscale, 2 truecolour.
const COLOR_TYPE: Record<PngColor, number> = { gray: 0, rgb: 2 };

/**
 * The one PNG encoder (demo thumbnails, test pictures): 8-bit pixels, row-major, per-row
 * filter choice and maximum deflate, so the committed demo data stays small.
 */
export function encodePng(pixels: Uint8Array, width: number, height: number, options: PngOptions = {}): Buffer {
  const color = options.color ?? 'gray';
  const scale = options.scale ?? 1;
  const channels = CHANNELS[color];
  if (pixels.length !== width * height * channels) throw new Error('png: pixel count does not match size');
  if (!Number.isInteger(scale) || scale < 1) throw new Error('png: scale must be a positive integer');
  const outWidth = width * scale;
  const outHeight = height * scale;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(outWidth, 0);
  header.writeUInt32BE(outHeight, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(COLOR_TYPE[color], 9);
  const scanlines = filterScanlines(upscale(pixels, width, height, channels, scale), outWidth * channels, outHeight, channels);
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(scanlines, { level: options.level ?? 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The PNG as a `data:` URL, the form the labeling page can show inline. */
export function pngDataUrl(pixels: Uint8Array, width: number, height: number, options: PngOptions = {}): string {
  return `data:image/png;base64,${encodePng(pixels, width, height, options).toString('base64')}`;
}

function upscale(pixels: Uint8Array, width: number, height: number, channels: number, scale: number): Uint8Array {
  if (scale === 1) return pixels;
  const out = new Uint8Array(width * height * channels * scale * scale);
  const outRow = width * scale * channels;
  for (let y = 0; y < height * scale; y++) {
    const row = Math.floor(y / scale) * width;
    for (let x = 0; x < width * scale; x++) {
      const from = (row + Math.floor(x / scale)) * channels;
      for (let c = 0; c < channels; c++) out[y * outRow + x * channels + c] = pixels[from + c] as number;
    }
  }
  return out;
}

/** Per row, the cheapest of the None, Sub and Up filters (sum of absolute residuals); `width` in bytes. */
function filterScanlines(pixels: Uint8Array, width: number, height: number, bytesPerPixel: number): Buffer {
  const out = Buffer.alloc((width + 1) * height);
  const candidate = new Uint8Array(width);
  for (let y = 0; y < height; y++) {
    let bestType = 0;
    let bestCost = Infinity;
    const best = new Uint8Array(width);
    for (const type of [0, 1, 2]) {
      let cost = 0;
      for (let x = 0; x < width; x++) {
        const value = pixels[y * width + x] as number;
        const left = x >= bytesPerPixel ? (pixels[y * width + x - bytesPerPixel] as number) : 0;
        const up = y > 0 ? (pixels[(y - 1) * width + x] as number) : 0;
        const residual = (value - (type === 1 ? left : type === 2 ? up : 0)) & 0xff;
        candidate[x] = residual;
        cost += residual < 128 ? residual : 256 - residual;
      }
      if (cost < bestCost) {
        bestCost = cost;
        bestType = type;
        best.set(candidate);
      }
    }
    out[y * (width + 1)] = bestType;
    out.set(best, y * (width + 1) + 1);
  }
  return out;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

let crcTable: Uint32Array | undefined;

/** zlib.crc32 arrived in Node 20.15; older 20.x gets the classic table. */
export function crc32(data: Uint8Array): number {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(data) >>> 0;
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const byte of data) crc = (crcTable[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
