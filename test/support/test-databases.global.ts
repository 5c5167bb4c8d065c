import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Global setup of the postgres project: names this run (`DRIFTLOOP_TEST_RUN`, which the forked
 * test workers inherit) so that the databases its tests create (`createDatabase`) carry the
 * run's prefix, and drops exactly those when the run ends. A server shared by several runs keeps
 * nobody else's databases; one left with hundreds of them (1.4 GB on the development server)
 * made PostgreSQL benchmarks on it about twice as slow (docs/benchmarks.md, Review queue).
 */
export default function setup(): () => Promise<void> {
  const run = randomBytes(4).toString('hex');
  process.env.DRIFTLOOP_TEST_RUN = run;
  return async () => {
    const admin = process.env.DRIFTLOOP_TEST_DATABASE_URL;
    if (!admin) return;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`driftloop\\_test\\_${run}\\_%`]);
      // A suite's children may still hold connections: force ends them.
      for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
    } finally {
      await client.end();
    }
  };
}
