import http from 'node:http';

// node:http on kept-alive sockets: the cheapest client at hand, as the benchmarks' clients share
// the two cores with the service (fetch costs several times its CPU per request).
const agent = new http.Agent({ keepAlive: true });

/** POSTs `body` (JSON bytes) and resolves with the status and the answer's text. */
export function postKeptAlive(url: URL, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Closes the kept-alive sockets, so the process can exit. */
export function stopKeptAlive(): void {
  agent.destroy();
}
