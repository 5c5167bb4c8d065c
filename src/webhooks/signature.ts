import { createHmac, timingSafeEqual } from 'node:crypto';

/** The signature header driftloop sends with every webhook POST. */
export const SIGNATURE_HEADER = 'X-Driftloop-Signature';

/** `sha256=<hex HMAC-SHA256 of the exact body bytes, keyed by the webhook secret>`. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** Receiver-side check, in constant time: what a webhook consumer should run. */
export function verifySignature(body: string, secret: string, header: string | null | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(body, secret));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
