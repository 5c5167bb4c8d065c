import { requestJson } from '../../lib/http-json.js';

/** A minimal JSON client for the driftloop HTTP API, as any production app or labeler would use it. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly key?: string,
  ) {}

  /** The parsed answer; any status from 400 up is an error the demo cannot go on from. */
  async call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await requestJson(this.baseUrl, method, path, body, this.key);
    if (answer.status >= 400) throw new Error(`${method} ${path} → ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`);
    return answer.body as T;
  }

  get = <T = any>(path: string) => this.call<T>('GET', path);
  post = <T = any>(path: string, body: unknown) => this.call<T>('POST', path, body);
  put = <T = any>(path: string, body: unknown) => this.call<T>('PUT', path, body);
}

/** True when something already answers on `url`. */
export async function isListening(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`);
    return true;
  } catch {
    return false;
  }
}
