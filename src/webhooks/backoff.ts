/** How a model's webhook deliveries are retried (settings group `webhookDelivery`). */
export interface RetryPolicy {
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
}

/**
 * Delay before attempt `attempt + 1`, after `attempt` failed ones: initial · 2^(attempt−1),
 * capped, plus up to 10% jitter (`random` in [0, 1)) so that many receivers recovering at
 * once are not hit in lockstep. A receiver's Retry-After, when longer, wins (still capped).
 */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: number, retryAfterMs?: number): number {
  const exponential = policy.initialBackoffMs * 2 ** Math.max(0, attempt - 1);
  const base = Math.min(policy.maxBackoffMs, Math.max(exponential, retryAfterMs ?? 0));
  return Math.round(base * (1 + 0.1 * random));
}

/** Retry-After in milliseconds (delta-seconds or HTTP date), or undefined. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
