/**
 * The driftloop CLI. Each command lives in its own file and registers itself on the
 * program (`registerXCommand(program)`), so commands can be added without touching the others.
 */
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { asTransientConflict } from '../db/unavailable.js';
import { registerKeysCommands } from './keys.command.js';
import { registerReportCommand } from './report.command.js';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
const program = new Command('driftloop').description('driftloop command line').version(pkg.version, '-V, --version').showHelpAfterError();
registerKeysCommands(program);
registerReportCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // The CLI opens the database itself, so it meets a held lock as an error, not as the server's 503.
  const message = asTransientConflict(err)
    ? 'the database is busy (another process holds its write lock, or a concurrent transaction ended this one); nothing was stored: run the command again'
    : err instanceof Error ? err.message : String(err);
  process.stderr.write(`driftloop: ${message}\n`);
  process.exit(1);
}
