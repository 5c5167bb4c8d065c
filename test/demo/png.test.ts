import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadDemoDataset } from '../../scripts/demo/data/demo-dataset.js';
import { crc32, encodePng, type PngColor } from '../../scripts/lib/png.js';

interface Decoded {
  width: number;
  height: number;
  colorType: number;
  pixels: Uint8Array;
}

/** An independent decoder for what the encoder writes: one IDAT, 8-bit, None/Sub/Up filters. */
function decode(png: Buffer): Decoded {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const colorType = png[25] as number;
  const bpp = colorType === 2 ? 3 : 1;
  const idatAt = png.indexOf('IDAT', 0, 'ascii');
  const raw = inflateSync(png.subarray(idatAt + 4, idatAt + 4 + png.readUInt32BE(idatAt - 4)));
  const stride = width * bpp;
  expect(raw.length).toBe((stride + 1) * height);
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const type = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x] as number;
      const left = x >= bpp ? (pixels[y * stride + x - bpp] as number) : 0;
      const up = y > 0 ? (pixels[(y - 1) * stride + x] as number) : 0;
      pixels[y * stride + x] = (value + (type === 1 ? left : type === 2 ? up : 0)) & 0xff;
    }
  }
  return { width, height, colorType, pixels };
}

const fromDataUrl = (url: string) => Buffer.from(url.slice('data:image/png;base64,'.length), 'base64');

describe('PNG encoder', () => {
  const gray = Uint8Array.from({ length: 5 * 3 }, (_, i) => (i * 37) % 256);

  it('writes the PNG signature and an IHDR with a valid CRC', () => {
    const png = encodePng(gray, 5, 3);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([5, 3, 8, 0]);
    expect(png.readUInt32BE(29)).toBe(crc32(png.subarray(12, 29)));
  });

  it.each<[PngColor, number]>([
    ['gray', 1],
    ['rgb', 3],
  ])('when %s pixels are encoded, then decoding gives them back, upscaled by nearest neighbour', (color, channels) => {
    const pixels = Uint8Array.from({ length: 4 * 3 * channels }, (_, i) => (i * 53 + 7) % 256);
    expect(decode(encodePng(pixels, 4, 3, { color }))).toEqual({ width: 4, height: 3, colorType: channels === 3 ? 2 : 0, pixels });
    const big = decode(encodePng(pixels, 4, 3, { color, scale: 2 }));
    expect([big.width, big.height]).toEqual([8, 6]);
    const at = (x: number, y: number, c: number) => big.pixels[(y * 8 + x) * channels + c];
    for (let c = 0; c < channels; c++) {
      expect(at(7, 5, c)).toBe(pixels[(2 * 4 + 3) * channels + c]);
      expect(at(2, 1, c)).toBe(pixels[(0 * 4 + 1) * channels + c]);
    }
  });

  it('rejects a pixel count that does not match the size', () => {
    expect(() => encodePng(new Uint8Array(10), 2, 2, { color: 'rgb' })).toThrow(/pixel count/);
    expect(() => encodePng(gray, 5, 3, { scale: 1.5 })).toThrow(/scale/);
  });

  it('computes the standard CRC-32 check value', () => {
    expect(crc32(Buffer.from('123456789', 'ascii'))).toBe(0xcbf43926);
  });

  it('when a committed demo thumbnail is decoded and encoded again, then the bytes are identical', async () => {
    const data = await loadDemoDataset('data/demo');
    for (const record of data.prodUgc.slice(0, 50)) {
      const png = fromDataUrl(record.input!.url);
      const { width, height, pixels } = decode(png);
      expect(encodePng(pixels, width, height).equals(png)).toBe(true);
    }
  });
});
