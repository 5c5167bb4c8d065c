import { pngDataUrl } from '../../../scripts/lib/png.js';

/** A small RGB PNG as a data: URL, painted by `pixel(x, y)`: stand-in photos for report tests. */
function paintedPng(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): string {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels.set(pixel(x, y), (y * width + x) * 3);
  return pngDataUrl(pixels, width, height, { color: 'rgb', level: 1 });
}

/** A "photo of a pint": a glass shape over a background, tinted per scene so regions look different. */
export function pintPhoto(scene: { background: [number, number, number]; beer: [number, number, number] }, seed: number): string {
  const jitter = (seed * 37) % 9;
  return paintedPng(48, 48, (x, y) => {
    const glass = x > 15 + (jitter % 3) && x < 33 - (jitter % 2) && y > 8 && y < 42;
    const foam = glass && y < 14;
    if (foam) return [240, 236, 220];
    if (glass) return scene.beer.map((c, i) => Math.max(0, Math.min(255, c - (y - 14) * 1.5 + (i === 0 ? jitter * 3 : 0)))) as [number, number, number];
    const shade = (x + y + jitter * 5) % 24;
    return scene.background.map((c) => Math.max(0, Math.min(255, c + shade - 12))) as [number, number, number];
  });
}
