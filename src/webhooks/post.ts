import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { WebhookTargetPolicy } from './target-policy.js';

/** The answer to a webhook POST: its status and Retry-After header. */
export interface WebhookAnswer {
  status: number;
  retryAfter: string | null;
}

/**
 * POSTs a webhook body through the target policy: an IP literal is checked before connecting,
 * and a name is resolved by the policy's lookup, which the connection then uses. Redirects are
 * not followed (a redirect could point inside).
 */
export function postWebhook(policy: WebhookTargetPolicy, raw: string, opts: { headers: Record<string, string>; body: string; signal: AbortSignal }): Promise<WebhookAnswer> {
  const url = new URL(raw);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  // A name is judged by what it resolves to (the lookup below); an IP literal connects without a lookup.
  const problem = isIP(host) ? policy.problemWithAddress(host, host) : undefined;
  if (problem) return Promise.reject(new Error(`webhook target ${problem}`));
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      { method: 'POST', headers: { ...opts.headers, 'content-length': String(Buffer.byteLength(opts.body)) }, lookup: policy.lookup(host), signal: opts.signal },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, retryAfter: (res.headers['retry-after'] as string | undefined) ?? null });
      },
    );
    req.on('error', (err) => reject(opts.signal.aborted && opts.signal.reason instanceof Error ? opts.signal.reason : err));
    req.end(opts.body);
  });
}
