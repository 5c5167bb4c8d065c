import type { Logger } from 'pino';
import { createApp, type Driftloop } from './app.js';
import { loadConfig } from './config.js';
import { isDiskFull } from './errors.js';
import { createLogger } from './observability/logger.js';

let driftloop: Driftloop;
let log: Logger;
try {
  const config = loadConfig();
  log = createLogger(config.logLevel);
  driftloop = await createApp(config, log);
  await driftloop.start();
  driftloop.services.warmThreads();
} catch (err) {
  // One line an operator can act on (an unreachable database names its host), then exit non-zero.
  const message = isDiskFull(err) ? 'the disk holding the data folder is full: free some space and start again' : err instanceof Error ? err.message : String(err);
  process.stderr.write(`driftloop: ${message}\n`);
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining');
    driftloop.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
