import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDatabaseOn } from '../../../test/support/database.js';

/** A PostgreSQL server for a benchmark: the one a URL names, or a throwaway cluster it started. */
export interface BenchPostgres {
  /** An admin URL (database `postgres`). */
  adminUrl: string;
  /** Where it comes from, for the printed header. */
  describe: string;
  /** A new empty database on it; its URL. */
  createDatabase(name: string): Promise<string>;
  /** Drops a database {@link createDatabase} made, by its URL (its connections are ended first). */
  dropDatabase(url: string): Promise<void>;
  stop(): void;
}

function pgBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(a) - Number(b)) : [];
  const bin = versions.length > 0 ? path.join(root, versions.at(-1)!, 'bin') : '';
  if (!bin || !fs.existsSync(path.join(bin, 'initdb'))) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql), or pass --database-url');
  return bin;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function dropDatabaseOn(admin: string, url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^\w+$/.test(name)) throw new Error(`not a benchmark's database: ${name}`);
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`drop database if exists ${name} with (force)`);
  } finally {
    await client.end();
  }
}

/**
 * `url` given: that server (any database on it; databases are created beside it, their names
 * ending in `DRIFTLOOP_BENCH_DATABASE_SUFFIX` if set). Otherwise a
 * throwaway cluster in a temp folder on `port` (a free one when 0), run as the `postgres` user
 * when this process is root (initdb refuses root), with the settings `.ci/postgres.sh` uses
 * (fsync off: figures then show driftloop, not the disk). `stop()` removes it.
 */
export async function benchPostgres(url: string | undefined, port = 0): Promise<BenchPostgres> {
  if (url) {
    const admin = new URL(url);
    // Benchmarks run at once on one shared server keep apart by a suffix of their own (letters, digits, _).
    const suffix = process.env.DRIFTLOOP_BENCH_DATABASE_SUFFIX ?? '';
    if (!/^\w*$/.test(suffix)) throw new Error('DRIFTLOOP_BENCH_DATABASE_SUFFIX: letters, digits and _ only');
    return { adminUrl: admin.toString(), describe: `server at ${admin.host}`, createDatabase: (name) => createDatabaseOn(admin.toString(), `${name}${suffix}`), dropDatabase: (db) => dropDatabaseOn(admin.toString(), db), stop: () => undefined };
  }
  const bin = pgBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftloop-bench-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['postgres:', dir]);
  const run = (cmd: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { stdio: 'pipe' }) : execFileSync(path.join(bin, cmd), args, { stdio: 'pipe' });
  const p = port || (await freePort());
  run('initdb', ['-D', path.join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale']);
  const opts = `-p ${p} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  run('pg_ctl', ['-D', path.join(dir, 'data'), '-l', path.join(dir, 'server.log'), '-w', '-o', opts, 'start']);
  const admin = new URL(`postgres://postgres@127.0.0.1:${p}/postgres`);
  const version = execFileSync(path.join(bin, 'postgres'), ['--version']).toString().trim();
  return {
    adminUrl: admin.toString(),
    describe: `throwaway cluster (${version}) on 127.0.0.1:${p}, fsync off`,
    createDatabase: (name) => createDatabaseOn(admin.toString(), name),
    dropDatabase: (db) => dropDatabaseOn(admin.toString(), db),
    stop: () => {
      try {
        run('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'immediate', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
