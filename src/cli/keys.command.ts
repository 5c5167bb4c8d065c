import type { Command } from 'commander';
import type { ApiKeysService } from '../auth/api-keys.service.js';
import { isRole, ROLES } from '../auth/roles.js';

/** `services.withKeys`, loaded when a key command runs: `--help` and `--version` need no database driver or migrations. */
async function withKeys<T>(fn: (keys: ApiKeysService, store: string) => Promise<T>, options?: { init?: boolean }): Promise<T> {
  return (await import('./services.js')).withKeys(fn, options);
}

/** `driftloop keys create|list|revoke`. */
export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description("manage API keys, stored hashed in the server's database: DRIFTLOOP_DATA_DIR (or DRIFTLOOP_DATABASE_URL) must name the server's");
  keys
    .command('create')
    .description('create a key and print it once')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--name <name>', "a name to recognise the key by; a label key's name is its labeler (required for --role label)", '')
    .option('--init', 'create the database in DRIFTLOOP_DATA_DIR when it has none yet (a server that never runs open)', false)
    .action(async (opts: { role: string; name: string; init: boolean }) => {
      if (!isRole(opts.role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
      const role = opts.role;
      const name = opts.name.trim();
      // A label key is one labeler, recorded under the key's name: two people given keys under a
      // shared default name would label as one (and count as one toward labelsPerItem).
      if (role === 'label' && name === '') throw new Error("--name is required for a label key: the name is the labeler it labels as (for example --name lena)");
      const { key, info, store, namesakes } = await withKeys(
        async (k, store) => {
          const before = (await k.list()).filter((other) => other.role === role && other.name === name && !other.revokedAt);
          return { ...(await k.create(role, name || `${role}-key`)), store, namesakes: before };
        },
        { init: opts.init },
      );
      // Where it went: a key created in another folder than the server's is refused there (401).
      process.stderr.write(`Created key #${info.id} '${info.name}' with role ${info.role} in ${store}. It is shown once; store it now:\n`);
      if (role === 'label' && namesakes.length > 0) {
        const ids = namesakes.map((other) => `#${other.id}`).join(', ');
        process.stderr.write(`Note: '${name}' already has an active label key (${ids}); every one of them labels as the same labeler '${name}'. Revoke the old one once this one is in use (driftloop keys revoke <id>).\n`);
      }
      process.stdout.write(`${key}\n`);
    });
  keys
    .command('list')
    .description('list keys (never their secrets)')
    .action(async () => {
      const { all, store } = await withKeys(async (k, store) => ({ all: await k.list(), store }));
      if (all.length === 0) {
        process.stdout.write(`no keys in ${store} (create one with: driftloop keys create --role admin)\n`);
        return;
      }
      process.stdout.write('id\trole\tname\tprefix\tcreated\tstatus\n');
      for (const k of all) process.stdout.write(`${k.id}\t${k.role}\t${k.name}\t${k.prefix}…\t${k.createdAt}\t${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}\n`);
    });
  keys
    .command('revoke <id>')
    .description('revoke a key by its id')
    .action(async (id: string) => {
      if (!/^[1-9][0-9]{0,15}$/.test(id)) throw new Error(`'${id}' is not a key id: ids are the positive numbers 'driftloop keys list' shows`);
      const ok = await withKeys((k) => k.revoke(Number(id)));
      if (!ok) throw new Error(`No active key #${id}`);
      process.stderr.write(`Revoked key #${id}\n`);
    });
}
