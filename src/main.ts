import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createLogger } from './observability/logger.js';

const config = loadConfig();
const log = createLogger(config.logLevel);
const driftloop = await createApp(config, log);
await driftloop.start();

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
