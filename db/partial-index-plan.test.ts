/**
 * A statement that re-checks the state of a row it finds by its primary key (`id = $1 and
 * status = 'created'`) must read that row through the primary key. With `=`, the status check
 * implies the predicate of a partial index of the state (`… where status in ('created',
 * 'pending')`), and once a VACUUM has found that index empty, pg_class says "0 tuples in 1 page"
 * and the planner believes a full scan of it is free, however many entries (dead ones
 * included) it holds by now: it reads the whole index and fetches every entry's row to compare
 * ids. Under the enrollment + checkout bench the checkout's attach read 932 buffers per call
 * that way. `stateIs` (workers/lib/sql.ts) writes the check so no partial index qualifies.
 * The stats are set the way such a VACUUM leaves them, inside a transaction that is rolled back,
 * with sequential scans off (the tests' tables are tiny; production's are not). Whether `=` falls
 * into the trap depends on costs that differ between a fresh and a big database, so that part is
 * checked as eligibility: with the primary key set aside, `=` lets an index of the state serve the
 * statement and `stateIs` does not.
 */
import { and, eq, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { testCtx } from '../tests/support/ctx.ts';
import { testDb } from '../tests/support/users.ts';
import { attachIfCreated } from '../workers/payments/checkout.ts';
import { stateIs } from '../workers/lib/sql.ts';
import { attempts, bookings, games, payments, reports } from './schema/index.ts';

interface PlanNode {
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}
const walk = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(walk)];

class Rollback extends Error {}

/**
 * The indexes the planner reads for `query` while pg_class says each partial index of `table` is
 * empty; with `withoutPrimaryKey`, the primary key is marked invalid for the planner as well.
 */
async function indexScans(table: string, query: SQL, withoutPrimaryKey = false): Promise<PlanNode[]> {
  let plan: PlanNode | undefined;
  await testDb()
    .transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      await tx.execute(sql`update pg_class c set reltuples = 0, relpages = 1
        from pg_index i where i.indexrelid = c.oid and i.indrelid = ${table}::regclass and i.indpred is not null`);
      if (withoutPrimaryKey) {
        await tx.execute(sql`update pg_index set indisvalid = false where indrelid = ${table}::regclass and indisprimary`);
      }
      const { rows } = await tx.execute<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(sql`explain (format json) ${query}`);
      plan = rows[0]!['QUERY PLAN'][0]!.Plan;
      throw new Rollback();
    })
    .catch((err: unknown) => {
      if (!(err instanceof Rollback)) throw err;
    });
  return walk(plan!).filter((n) => !!n['Index Name']);
}

const indexesFor = async (table: string, query: SQL) => (await indexScans(table, query)).map((n) => n['Index Name']!);

/**
 * Whether, with the primary key set aside, the planner reads the row through its state: a
 * partial index whose predicate names the state, or an index condition on it. (With sequential
 * scans off it may still walk another index end to end; that is not the trap.)
 */
async function servedByState(table: string, query: SQL): Promise<boolean> {
  const partial = await partialStateIndexes(table);
  return (await indexScans(table, query, true)).some((n) => partial.includes(n['Index Name']!) || /\bstatus\b/.test(n['Index Cond'] ?? ''));
}

/** The table's partial indexes whose predicate names its state. */
async function partialStateIndexes(table: string): Promise<string[]> {
  const { rows } = await testDb().db.execute<{ name: string }>(
    sql`select indexname as name from pg_indexes where tablename = ${table} and indexdef ~ 'WHERE .*\\mstatus\\M'`,
  );
  return rows.map((r) => r.name);
}

const ID = '00000000-0000-4000-8000-000000000001';

type Shape = readonly [table: string, check: (eq: boolean) => SQL, id: AnyPgColumn, from: unknown];

// The state checks of checkout.ts, attempts.ts, bookings.ts, reports/jobs.ts and games/results.ts.
const shapes: Shape[] = [
  ['payments', (e) => (e ? eq(payments.status, 'created') : stateIs(payments.status, 'created')), payments.id, payments],
  ['attempts', (e) => (e ? eq(attempts.status, 'open') : stateIs(attempts.status, 'open')), attempts.id, attempts],
  ['bookings', (e) => (e ? eq(bookings.status, 'hold') : stateIs(bookings.status, 'hold')), bookings.id, bookings],
  ['bookings', (e) => (e ? eq(bookings.status, 'confirmed') : stateIs(bookings.status, 'confirmed')), bookings.id, bookings],
  ['games', (e) => (e ? eq(games.status, 'running') : stateIs(games.status, 'running')), games.id, games],
  [
    'reports',
    (e) =>
      e
        ? or(eq(reports.status, 'queued'), and(eq(reports.status, 'rendering'), sql`${reports.leaseUntil} < now()`))!
        : or(stateIs(reports.status, 'queued'), and(stateIs(reports.status, 'rendering'), sql`${reports.leaseUntil} < now()`))!,
    reports.id,
    reports,
  ],
];

const statement = ([, check, id, from]: Shape, withEq: boolean) =>
  testCtx()
    .services.db.db.select({ id })
    .from(from as typeof payments)
    .where(and(eq(id, ID), check(withEq)))
    .getSQL();

describe('state checks on a row found by its primary key', () => {
  it("the checkout's attach reads the payment by its primary key", async () => {
    const attach = attachIfCreated(testCtx(), ID, { sessionId: 'cs_test', url: '/pay/cs_test' }).getSQL();
    expect(await indexesFor('payments', attach)).toEqual(['payments_pkey']);
    // And not through its state even without the primary key.
    expect(await servedByState('payments', attach)).toBe(false);
  });

  it.each(shapes)('%s: id + stateIs reads the primary key only; with `=` the state could serve it', async (...shape) => {
    const table = shape[0];
    expect((await partialStateIndexes(table)).length, table).toBeGreaterThan(0);
    expect(await indexesFor(table, statement(shape, false))).toEqual([`${table}_pkey`]);
    expect(await servedByState(table, statement(shape, false))).toBe(false);
    // The trap is real: with `=`, the state's indexes are the planner's to choose.
    expect(await servedByState(table, statement(shape, true))).toBe(true);
  });
});
