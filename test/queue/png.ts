import { pngDataUrl } from '../../scripts/lib/png.js';

type Rgb = [number, number, number];

/** Beer colours of the test taxonomy, for thumbnails that look like the product's inputs. */
export const BEER: Record<string, Rgb> = { lager: [226, 168, 38], stout: [38, 24, 18], ipa: [204, 120, 30] };

/** A small PNG data URL of a pint: a tapered glass of `beer` with a head, on a tinted background. */
export function pintPng(beer: Rgb, opts: { size?: number; background?: Rgb; tilt?: number } = {}): string {
  const size = opts.size ?? 64;
  const bg = opts.background ?? [232, 236, 242];
  const tilt = opts.tilt ?? 0;
  const pixels = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    const t = y / size;
    for (let x = 0; x < size; x++) {
      const cx = size / 2 + tilt * (t - 0.5) * size;
      const half = size * (0.2 + 0.08 * (1 - t));
      const inGlass = t > 0.12 && t < 0.92 && Math.abs(x - cx) < half;
      const head = inGlass && t < 0.25;
      const shade = 1 - 0.25 * Math.abs(x - cx) / half;
      const c: Rgb = head ? [245, 238, 220] : inGlass ? [beer[0] * shade, beer[1] * shade, beer[2] * shade] : [bg[0] - 30 * t, bg[1] - 30 * t, bg[2] - 20 * t];
      pixels.set(c.map((v) => Math.max(0, Math.min(255, Math.round(v)))), (y * size + x) * 3);
    }
  }
  // Fastest deflate: tests draw hundreds of these, and slow set-up only widens races with the server.
  return pngDataUrl(pixels, size, size, { color: 'rgb', level: 1 });
}
