import { sql, type CompiledQuery, type RawBuilder } from 'kysely';
import type { Db } from './database.js';
import { isPostgres, prepared } from './dialect.js';
import { inlineParameters } from './inline-sql.js';

/**
 * In a statement marked `readsPrevious`, the rows of the statement sent just before it, as the
 * jsonb array it answered with (migration 0025): a read that needs a write's answer goes in the
 * same round trip. PostgreSQL only.
 */
export const PREVIOUS_ROWS: RawBuilder<unknown> = sql.raw('$PREVIOUS_ROWS');

/**
 * A statement of a trip; a guard (`stopWhenEmpty`) that answers no rows ends the trip there. On
 * PostgreSQL each statement runs as `with r as (statement) select … from r`, so an insert, update
 * or delete needs a `returning` clause.
 */
export interface TripStatement {
  query: CompiledQuery;
  stopWhenEmpty?: boolean;
  /** It names {@link PREVIOUS_ROWS}: it must not follow the leading guards of a trip that has deferred statements. */
  readsPrevious?: boolean;
}

interface Deferred {
  query: CompiledQuery;
  settle: (rows: unknown[] | undefined) => void;
  fail: (err: unknown) => void;
}

/**
 * Statements of one transaction sent together. On PostgreSQL a trip is one round trip
 * (`run_in_order`, migration 0024, with the parameters written in by `inlineParameters`): on a
 * busy service each round trip also waits its turn on the event loop, and while it holds a lock
 * others wait for that too. On SQLite, where a statement is a call, they run one by one.
 * A feature may {@link defer} a statement whose answer it needs only later: it goes with the
 * next {@link run}, after that run's leading guards (so it waits behind the same locks) and before
 * its other statements, or with {@link flush}.
 */
export class StatementTrip {
  private deferred: Deferred[] = [];

  constructor(private readonly db: Db) {}

  /** Resolves to the statement's rows once a trip has taken it, or undefined if a guard ended that trip before it. */
  defer<R>(query: CompiledQuery<R>): Promise<R[] | undefined> {
    const answer = new Promise<R[] | undefined>((settle, fail) => this.deferred.push({ query, settle: settle as Deferred['settle'], fail }));
    // Whoever deferred it may never ask (its transaction failed first): that is not an unhandled rejection.
    answer.catch(() => undefined);
    return answer;
  }

  /** Runs the deferred statements and `statements`; answers each of `statements` with its rows, undefined where a guard ended the trip first. */
  async run(statements: TripStatement[]): Promise<(unknown[] | undefined)[]> {
    const lead = statements.findIndex((s) => !s.stopWhenEmpty);
    const guards = lead === -1 ? statements.length : lead;
    if (this.deferred.length > 0 && statements[guards]?.readsPrevious) throw new Error('a statement that reads the previous rows would read a deferred statement\'s');
    const deferred = this.deferred.splice(0);
    const all = [...statements.slice(0, guards), ...deferred.map((d) => ({ query: d.query })), ...statements.slice(guards)];
    let answers: (unknown[] | undefined)[];
    try {
      answers = await this.send(all);
    } catch (err) {
      for (const d of deferred) d.fail(err);
      throw err;
    }
    deferred.forEach((d, i) => d.settle(answers[guards + i]));
    return [...answers.slice(0, guards), ...answers.slice(guards + deferred.length)];
  }

  /** Sends what was deferred, if anything. */
  async flush(): Promise<void> {
    if (this.deferred.length > 0) await this.run([]);
  }

  private async send(statements: TripStatement[]): Promise<(unknown[] | undefined)[]> {
    const answers: (unknown[] | undefined)[] = statements.map(() => undefined);
    if (statements.length === 0) return answers;
    if (!isPostgres(this.db)) {
      if (statements.some((s) => s.readsPrevious)) throw new Error('a statement that reads the previous rows runs on PostgreSQL only');
      for (const [i, s] of statements.entries()) {
        answers[i] = (await this.db.executeQuery(s.query)).rows;
        if (s.stopWhenEmpty && answers[i]!.length === 0) break;
      }
      return answers;
    }
    const texts = statements.map((s) => inlineParameters(s.query, s.readsPrevious ? { PREVIOUS_ROWS: '$1' } : {}));
    const stops = statements.map((s) => s.stopWhenEmpty === true);
    const { rows } = await sql<{ step: number; rows: unknown[] }>`${prepared} select step, rows from run_in_order(${texts}::text[], ${stops}::boolean[])`.execute(this.db);
    for (const r of rows) answers[r.step - 1] = r.rows;
    return answers;
  }
}
