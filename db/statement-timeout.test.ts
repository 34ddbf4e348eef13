/**
 * Every statement the Worker sends carries a statement_timeout, so Postgres itself cancels a
 * query nobody will wait for (issue 15: abandoned queries ran on for 40 s). Over HTTP it is set
 * for the batch the statement is wrapped in; over the WebSocket driver it is a startup parameter.
 * Checked where it matters: the statement is gone from pg_stat_activity.
 */
import { neon } from '@neondatabase/serverless';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDatabase, isDatabaseUnavailable, STATEMENT_TIMEOUT_MS } from './client.ts';
import { testDb, vars } from '../tests/support/users.ts';

const dbWith = (statementTimeoutMs?: number) =>
  createDatabase({ url: vars.DATABASE_URL!, httpEndpoint: vars.NEON_HTTP_ENDPOINT, wsProxy: vars.NEON_WS_PROXY, statementTimeoutMs });

/** Active statements containing `marker`, seen from another connection. */
async function running(marker: string): Promise<number> {
  testDb();
  const rows = await neon(vars.DATABASE_URL!, { fetchOptions: {} }).query(
    `select count(*)::int as n from pg_stat_activity where state = 'active' and pid <> pg_backend_pid() and query like '%' || $1 || '%'`,
    [marker],
  );
  return Number((rows as { n: number }[])[0]!.n);
}

const marker = () => `slow_${Math.random().toString(36).slice(2, 10)}`;

describe('statement timeout', () => {
  it('a slow statement over HTTP is cancelled in Postgres (57014, a 503 for callers), single and batched', async () => {
    const db = dbWith(300);
    for (const run of [
      (m: string) => db.db.execute(sql.raw(`select pg_sleep(5) as ${m}`)),
      (m: string) => db.db.batch([db.db.execute(sql`select 1`), db.db.execute(sql.raw(`select pg_sleep(5) as ${m}`))]),
    ]) {
      const m = marker();
      const started = Date.now();
      const err = (await run(m).catch((x: unknown) => x)) as { code?: string };
      expect(Date.now() - started).toBeLessThan(2500);
      expect((err as { cause?: { code?: string } }).cause?.code ?? err.code).toBe('57014');
      expect(isDatabaseUnavailable(err)).toBe(true);
      expect(await running(m)).toBe(0);
    }
  });

  it('a slow statement in an interactive transaction is cancelled too', async () => {
    const db = dbWith(300);
    const m = marker();
    const started = Date.now();
    const err = await db.transaction((tx) => tx.execute(sql.raw(`select pg_sleep(5) as ${m}`))).catch((x: unknown) => x);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(await running(m)).toBe(0);
  });

  it('by default every statement runs under STATEMENT_TIMEOUT_MS, and answers come back unchanged', async () => {
    const db = dbWith();
    const [row] = (await db.db.execute<{ t: string; n: number }>(sql`select current_setting('statement_timeout') as t, 41 + 1 as n`)).rows;
    expect(row).toEqual({ t: `${STATEMENT_TIMEOUT_MS / 1000}s`, n: 42 });
    const [a, b] = await db.db.batch([
      db.db.execute<{ x: number }>(sql`select 1 as x`),
      db.db.execute<{ t: string }>(sql`select current_setting('statement_timeout') as t`),
    ]);
    expect(a.rows).toEqual([{ x: 1 }]);
    expect(b.rows).toEqual([{ t: `${STATEMENT_TIMEOUT_MS / 1000}s` }]);
    const inTx = await db.transaction(
      async (tx) => (await tx.execute<{ t: string }>(sql`select current_setting('statement_timeout') as t`)).rows,
    );
    expect(inTx).toEqual([{ t: `${STATEMENT_TIMEOUT_MS / 1000}s` }]);
    // 0 turns it off (migrations, scripts).
    const [off] = (await dbWith(0).db.execute<{ t: string }>(sql`select current_setting('statement_timeout') as t`)).rows;
    expect(off).toEqual({ t: '0' });
  });
});
