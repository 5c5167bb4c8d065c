import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A small RGB PNG as a data: URL, painted by `pixel(x, y)`: stand-in photos for report tests. */
export function pngDataUrl(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): string {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 3);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** A "photo of a pint": a glass shape over a background, tinted per scene so regions look different. */
export function pintPhoto(scene: { background: [number, number, number]; beer: [number, number, number] }, seed: number): string {
  const jitter = (seed * 37) % 9;
  return pngDataUrl(48, 48, (x, y) => {
    const glass = x > 15 + (jitter % 3) && x < 33 - (jitter % 2) && y > 8 && y < 42;
    const foam = glass && y < 14;
    if (foam) return [240, 236, 220];
    if (glass) return scene.beer.map((c, i) => Math.max(0, Math.min(255, c - (y - 14) * 1.5 + (i === 0 ? jitter * 3 : 0)))) as [number, number, number];
    const shade = (x + y + jitter * 5) % 24;
    return scene.background.map((c) => Math.max(0, Math.min(255, c + shade - 12))) as [number, number, number];
  });
}
