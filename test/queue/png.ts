import zlib from 'node:zlib';

type Rgb = [number, number, number];

/** Beer colours of the test taxonomy, for thumbnails that look like the product's inputs. */
export const BEER: Record<string, Rgb> = { lager: [226, 168, 38], stout: [38, 24, 18], ipa: [204, 120, 30] };

/** A small PNG data URL of a pint: a tapered glass of `beer` with a head, on a tinted background. */
export function pintPng(beer: Rgb, opts: { size?: number; background?: Rgb; tilt?: number } = {}): string {
  const size = opts.size ?? 64;
  const bg = opts.background ?? [232, 236, 242];
  const tilt = opts.tilt ?? 0;
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    const t = y / size;
    for (let x = 0; x < size; x++) {
      const cx = size / 2 + tilt * (t - 0.5) * size;
      const half = size * (0.2 + 0.08 * (1 - t));
      const inGlass = t > 0.12 && t < 0.92 && Math.abs(x - cx) < half;
      const head = inGlass && t < 0.25;
      const shade = 1 - 0.25 * Math.abs(x - cx) / half;
      const c: Rgb = head ? [245, 238, 220] : inGlass ? [beer[0] * shade, beer[1] * shade, beer[2] * shade] : [bg[0] - 30 * t, bg[1] - 30 * t, bg[2] - 20 * t];
      row.set(c.map((v) => Math.max(0, Math.min(255, Math.round(v)))), 1 + x * 3);
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return `data:image/png;base64,${png.toString('base64')}`;
}
