/**
 * The security headers every answer carries, API and pages alike: no sniffing, no framing, no
 * referrer to other sites, no cross-origin reads or window sharing. The app's middleware sets
 * them after routing; the node server sets them on what it refuses before the app sees a request
 * (a missing key, a body too large, the body budget spent), so no answer goes out without them.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  'Referrer-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Frame-Options': 'DENY',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-XSS-Protection': '0',
});
