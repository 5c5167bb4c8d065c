import { Command } from 'commander';
import { registerKeysCommands } from './keys.command.js';

const program = new Command('driftloop').description('driftloop command line').showHelpAfterError();
registerKeysCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`driftloop: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
