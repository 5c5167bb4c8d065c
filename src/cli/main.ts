/**
 * The driftloop CLI. Each command lives in its own file and registers itself on the
 * program (`registerXCommand(program)`), so commands can be added without touching the others.
 */
import { Command } from 'commander';
import { registerReportCommand } from './report.command.js';

const program = new Command()
  .name('driftloop')
  .description('Active-learning feedback loop for production data drift')
  .showHelpAfterError();

registerReportCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  console.error(`driftloop: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
