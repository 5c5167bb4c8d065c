import http from 'node:http';

/** An answer as a raw request sees it. */
export interface RawAnswer {
  status: number;
  type: string;
  setCookie: string[];
  location: string | undefined;
  text: string;
}

/**
 * One request through node:http with its path sent byte for byte (fetch would resolve `..` and
 * re-encode it first), on a connection of its own.
 */
export function sendRaw(url: string, method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), setCookie: res.headers['set-cookie'] ?? [], location: res.headers.location, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
