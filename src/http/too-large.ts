import { PayloadTooLargeError } from '../errors.js';

const UNITS = ['KiB', 'MiB', 'GiB'] as const;

/** A limit in bytes as a person reads it: "8 MiB limit (8,388,608 bytes)", "900-byte limit". */
export function byteLimitText(bytes: number, noun = 'limit'): string {
  if (bytes < 1024) return `${bytes.toLocaleString('en-US')}-byte ${noun}`;
  let value = bytes;
  let unit: (typeof UNITS)[number] = 'KiB';
  for (const u of UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  return `${Number(value.toFixed(1)).toLocaleString('en-US')} ${unit} ${noun} (${bytes.toLocaleString('en-US')} bytes)`;
}

/** The 413 of a request body over `maxBytes`, wherever it is found out (the node server or the route). */
export function bodyTooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`Request body is over the ${byteLimitText(maxBytes)}`);
}

/** The 413 of a batch with more records than `max`. */
export function batchTooLarge(count: number, max: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`Batch is over the ${max.toLocaleString('en-US')}-record limit: it has ${count.toLocaleString('en-US')} records`);
}
