import type { Logger } from 'pino';
import { createApp, type Driftloop } from './app.js';
import { loadConfig } from './config.js';
import { createLogger } from './observability/logger.js';

let driftloop: Driftloop;
let log: Logger;
try {
  const config = loadConfig();
  log = createLogger(config.logLevel);
  driftloop = await createApp(config, log);
  await driftloop.start();
} catch (err) {
  // One line an operator can act on (an unreachable database names its host), then exit non-zero.
  process.stderr.write(`driftloop: ${err instanceof Error ? err.message : String(err)}\n`);
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
