import type http from 'node:http';
import { DomainError, PayloadTooLargeError, UnauthorizedError } from '../errors.js';
import { byteLimitText } from '../http/too-large.js';
import type { Admission } from '../http/node-server.js';
import type { Authenticator } from './authenticator.js';

/** Forms anyone may post (signing in): they are small, so their bodies are capped hard. */
const PUBLIC_FORM_BYTES = 8 * 1024;

/**
 * Decides on a request with a body before any of it is read: strangers are answered 401 at
 * once, so unauthenticated uploads cost no memory. `publicForms` are the paths anyone may post.
 */
export function admitBody(auth: Authenticator, publicForms: readonly string[]) {
  return async (req: http.IncomingMessage): Promise<Admission> => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    if (publicForms.includes(path)) {
      const length = Number(req.headers['content-length'] ?? NaN);
      return length <= PUBLIC_FORM_BYTES ? { owner: 'public-forms' } : { refused: new PayloadTooLargeError(`Form body is over the ${byteLimitText(PUBLIC_FORM_BYTES)}, or came without Content-Length`) };
    }
    try {
      const found = await auth.authenticate({ authorization: req.headers.authorization, cookie: req.headers.cookie }, req);
      // The key's share of the body budget: its role and name (a session draws on its key's).
      return found ? { owner: `${found.principal.role}:${found.principal.keyName}` } : { refused: new UnauthorizedError('Missing API key: send Authorization: Bearer <key>') };
    } catch (err) {
      if (err instanceof DomainError) return { refused: err };
      throw err;
    }
  };
}
