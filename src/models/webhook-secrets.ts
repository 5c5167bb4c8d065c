import { ValidationError } from '../errors.js';
import type { Settings } from './settings.js';

/** What a webhook secret reads as: secrets are write-only, since any key may read a model. */
const SECRET_MASK = '********';

/** Settings as the API shows them, every webhook secret masked. */
export function redactSecrets(settings: Settings): Settings {
  return { ...settings, webhooks: settings.webhooks.map((w) => (typeof w === 'string' || !w.secret ? w : { ...w, secret: SECRET_MASK })) };
}

/**
 * A settings patch with each masked secret put back to the one stored for the same URL, so a
 * GET→PUT round trip keeps the secret; a secret changes only when a new one is sent. The mask
 * for a URL without a stored secret is refused: deliveries would be signed with a public key.
 */
export function restoreMaskedSecrets(stored: Settings | undefined, patch: unknown): unknown {
  if (!isObject(patch) || !Array.isArray(patch.webhooks)) return patch;
  const secrets = new Map<string, string>();
  for (const w of stored?.webhooks ?? []) if (typeof w !== 'string' && w.secret && !secrets.has(w.url)) secrets.set(w.url, w.secret);
  const webhooks = patch.webhooks.map((w: unknown, index: number) => {
    if (!isObject(w) || w.secret !== SECRET_MASK) return w;
    const secret = typeof w.url === 'string' ? secrets.get(w.url) : undefined;
    if (!secret) throw new ValidationError(`webhooks[${index}].secret is the masked value, but no secret is stored for that URL; send the secret itself`, { index });
    return { ...w, secret };
  });
  return { ...patch, webhooks };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A webhook URL as a reader that is not an admin sees it: its origin, `https://hooks.example.com/…`.
 * Many receivers (chat incoming webhooks) carry their secret in the path or the query.
 */
export function webhookOrigin(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '…';
  }
}
