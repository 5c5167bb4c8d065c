/**
 * The driftloop CLI. Each command lives in its own file and registers itself on the
 * program (`registerXCommand(program)`), so commands can be added without touching the others.
 */
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { registerKeysCommands } from './keys.command.js';
import { registerReportCommand } from './report.command.js';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
const program = new Command('driftloop').description('driftloop command line').version(pkg.version, '-V, --version').showHelpAfterError();
registerKeysCommands(program);
registerReportCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`driftloop: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
