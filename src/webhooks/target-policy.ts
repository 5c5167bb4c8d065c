import dns from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Addresses a webhook may not reach unless allowed: this machine, private networks, link-local (cloud metadata), multicast. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback and the IPv4-compatible form (::127.0.0.1)
  ['::ffff:0:0:0', 96], // IPv4-translated (::ffff:0:7f00:1)
  ['100::', 64], // discard-only
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10], // site-local, deprecated but still routed on some networks
  ['ff00::', 8],
  ['64:ff9b::', 96], // NAT64: an IPv4 address in disguise
  ['64:ff9b:1::', 48], // local-use NAT64: likewise, and meant for internal networks
  ['2001::', 32], // Teredo: an IPv4 address, obfuscated
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: an IPv4 address in disguise
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** A lookup as node:http takes it. */
export type Lookup = (hostname: string, options: dns.LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void) => void;

/** The hostname of a URL without IPv6 brackets; the URL parser already turned `2130706433` and `0x7f.1` into `127.0.0.1`. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/**
 * Where webhooks may be sent. Loopback, private, link-local and other internal addresses are
 * refused unless DRIFTLOOP_WEBHOOK_ALLOW lists the host or a CIDR range holding the address.
 * URLs are checked when settings are saved, and the resolved address again at every delivery
 * (so a name that later resolves inside, DNS rebinding, is refused too).
 */
export class WebhookTargetPolicy {
  private readonly hosts = new Set<string>();
  private readonly ranges = new BlockList();

  constructor(allow: readonly string[]) {
    for (const entry of allow.map((a) => a.trim().toLowerCase()).filter(Boolean)) {
      const [net, bits] = entry.replace(/^\[(.*)\]$/, '$1').split('/');
      const family = isIP(net ?? '');
      if (family === 0) this.hosts.add(entry);
      else if (bits === undefined) this.ranges.addAddress(net!, family === 4 ? 'ipv4' : 'ipv6');
      else this.ranges.addSubnet(net!, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** Why this URL may not be a webhook target (judged from the URL alone), or undefined. */
  problemWithUrl(raw: string): string | undefined {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return 'is not a URL';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be http or https';
    if (url.username || url.password) return 'must not carry credentials (user:pass@); sign deliveries with a secret instead';
    const host = hostOf(url);
    if (this.hosts.has(host)) return undefined;
    if (host === 'localhost' || host.endsWith('.localhost')) return this.refusal(host);
    if (isIP(host) !== 0) return this.problemWithAddress(host, host);
    return undefined;
  }

  /** Why a delivery may not connect to `address` (resolved from `host`), or undefined. */
  problemWithAddress(host: string, address: string): string | undefined {
    if (this.hosts.has(host)) return undefined;
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (!PRIVATE.check(address, family) || this.ranges.check(address, family)) return undefined;
    return this.refusal(address === host ? host : `${host} (${address})`);
  }

  /**
   * A DNS lookup for delivery connections that refuses private answers: the connection uses
   * exactly the address checked here, so no second lookup can be rebound in between.
   */
  lookup(host: string): Lookup {
    return (hostname, options, callback) => {
      dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, []);
        const list = addresses as dns.LookupAddress[];
        const blocked = list.map((a) => this.problemWithAddress(host, a.address)).find(Boolean);
        if (blocked) return callback(Object.assign(new Error(`webhook target ${blocked}`), { code: 'EWEBHOOKBLOCKED' }), []);
        if (options.all) return callback(null, list);
        callback(null, list[0]!.address, list[0]!.family);
      });
    };
  }

  private refusal(what: string): string {
    return `${what} is a loopback, private or link-local address; list it in DRIFTLOOP_WEBHOOK_ALLOW to allow it`;
  }
}
