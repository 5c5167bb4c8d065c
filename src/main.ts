import { createApp } from './app.js';
import { StartupRefusedError } from './auth/open-mode.js';
import { loadConfig } from './config.js';
import { isDiskFull } from './errors.js';
import { createLogger } from './observability/logger.js';

let driftloop: Awaited<ReturnType<typeof createApp>>;
const config = (() => {
  try {
    return loadConfig();
  } catch (err) {
    return refuse(err);
  }
})();
const log = createLogger(config.logLevel);
try {
  driftloop = await createApp(config, log);
  await driftloop.start();
} catch (err) {
  if (err instanceof StartupRefusedError) refuse(err);
  if (isDiskFull(err)) refuse(new Error(`the disk holding ${config.dataDir} is full: free some space and start again`));
  throw err;
}

/** A start that is refused prints one line (no stack, no engine source) and exits 1. */
function refuse(err: unknown): never {
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
