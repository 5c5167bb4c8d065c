/**
 * Where inputs (`input.url` of examples and predictions) may be loaded from by the pages, when
 * DRIFTLOOP_INPUT_ORIGINS restricts it: labelers' browsers load each input an app sent, so an
 * app could otherwise make them request any address it likes (a tracker, a device on their
 * network). Unset, any http(s) URL is shown, as before.
 */
export class InputOrigins {
  private readonly allowed: ReadonlySet<string> | undefined;

  /** `origins`: `https://cdn.example.com`-style origins; undefined allows every http(s) URL. */
  constructor(origins?: readonly string[]) {
    this.allowed = origins && new Set(origins);
  }

  /** Parses DRIFTLOOP_INPUT_ORIGINS (comma-separated origins), throwing on an entry that is not one. */
  static parse(text: string | undefined): InputOrigins {
    if (text === undefined || text.trim() === '') return new InputOrigins();
    const origins = text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((entry) => {
        let url: URL;
        try {
          url = new URL(entry);
        } catch {
          throw new Error(`'${entry}' is not a URL origin such as https://cdn.example.com`);
        }
        const originOnly = url.pathname === '/' && !entry.endsWith('//') && url.search === '' && url.hash === '' && url.username === '' && url.password === '' && !/[?#]/.test(entry);
        // A DNS name or an IPv4 address: what a CSP host-source can name exactly (no `*`, `;` or IPv6 literal).
        const plainHost = /^[a-z0-9.-]+$/.test(url.hostname);
        if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !originOnly || !plainHost) {
          throw new Error(`'${entry}' is not an http(s) origin (scheme, a host name or IPv4 address, and port only), such as https://cdn.example.com`);
        }
        return url.origin;
      });
    return new InputOrigins(origins);
  }

  /** Whether a page may load `url`: a data: URL always (it is the input itself), else an allowed origin. */
  allows(url: string): boolean {
    if (/^data:/i.test(url)) return true;
    if (!this.allowed) return true;
    try {
      return this.allowed.has(new URL(url).origin);
    } catch {
      return false;
    }
  }

  /** Why `url` is refused, for a batch error; undefined when it is allowed. */
  problem(url: string | undefined): string | undefined {
    if (url === undefined || this.allows(url)) return undefined;
    return `pages load inputs only from ${[...this.allowed!].join(', ')} (DRIFTLOOP_INPUT_ORIGINS) or data: URLs`;
  }

  /** The pages' CSP img-src sources. */
  get imgSrc(): string {
    return this.allowed ? ['data:', ...this.allowed].join(' ') : 'http: https: data:';
  }
}
