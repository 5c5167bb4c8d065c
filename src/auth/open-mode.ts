import type http from 'node:http';
import { isLoopbackHost } from '../config.js';
import type { ApiKeysService } from './api-keys.service.js';

/** Refusal to start: printed as one line by the entry point, which exits 1. */
export class StartupRefusedError extends Error {
  override readonly name = 'StartupRefusedError';
}

/**
 * Anything but loopback needs a key in force. `::ffff:127.0.0.1` and other spellings are not
 * loopback here on purpose: only the canonical forms are, so no address trick can open a server.
 */
export async function assertMayListen(keys: ApiKeysService, host: string): Promise<void> {
  if (isLoopbackHost(host) || (await keys.anyInForce())) return;
  throw new StartupRefusedError(
    `HOST=${host} is not loopback and no API key is in force: set DRIFTLOOP_ADMIN_KEY or create one with 'driftloop keys create --role admin'`,
  );
}

/** Checks the address the socket really got ("localhost" may resolve to anything) before running open. */
export async function assertBoundToLoopback(server: http.Server): Promise<void> {
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.address : String(address);
  if (isLoopbackHost(bound)) return;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  throw new StartupRefusedError(`driftloop runs open (no key was ever created) only on loopback, but it is bound to ${bound}`);
}
