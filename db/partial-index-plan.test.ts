/**
 * A statement that re-checks the state of a row it finds by its primary key (`id = $1 and
 * status = 'created'`) must read that row through the primary key. With `=`, the status check
 * implies the predicate of a partial index of the state (`… where status in ('created',
 * 'pending')`), and once a VACUUM has found that index empty, pg_class says "0 tuples in 1 page"
 * and the planner believes a full scan of it is free, however many entries (dead ones
 * included) it holds by now: it reads the whole index and fetches every entry's row to compare
 * ids. Under the enrollment + checkout bench the checkout's attach read 932 buffers per call
 * that way. `stateIs` (workers/lib/sql.ts) writes the check so no partial index qualifies.
 * The stats are set the way such a VACUUM leaves them, inside a transaction that is rolled back.
 */
import { and, eq, or, sql, type SQL } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { testCtx } from '../tests/support/ctx.ts';
import { testDb } from '../tests/support/users.ts';
import { attachIfCreated } from '../workers/payments/checkout.ts';
import { stateIs } from '../workers/lib/sql.ts';
import { attempts, bookings, games, payments, reports } from './schema/index.ts';

interface PlanNode {
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const walk = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(walk)];

class Rollback extends Error {}

/** The indexes the planner reads for `query` while pg_class says each partial index of the table is empty. */
async function indexesWithEmptyPartials(table: string, query: SQL): Promise<string[]> {
  let plan: PlanNode | undefined;
  await testDb()
    .transaction(async (tx) => {
      await tx.execute(sql`update pg_class c set reltuples = 0, relpages = 1
        from pg_index i where i.indexrelid = c.oid and i.indrelid = ${table}::regclass and i.indpred is not null`);
      const { rows } = await tx.execute<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(sql`explain (format json) ${query}`);
      plan = rows[0]!['QUERY PLAN'][0]!.Plan;
      throw new Rollback();
    })
    .catch((err: unknown) => {
      if (!(err instanceof Rollback)) throw err;
    });
  return walk(plan!)
    .map((n) => n['Index Name'])
    .filter((name): name is string => !!name);
}

const ID = '00000000-0000-4000-8000-000000000001';

describe('state checks on a row found by its primary key', () => {
  it('with `=` the planner reads another index than the primary key (the trap this guards against is real)', async () => {
    const db = testCtx().services.db.db;
    const used = await indexesWithEmptyPartials(
      'payments',
      db
        .select({ id: payments.id })
        .from(payments)
        .where(and(eq(payments.id, ID), eq(payments.status, 'created')))
        .getSQL(),
    );
    // payments_open_purchase_key on the scale seed, payments_status_created_idx on the tests' few rows.
    expect(used.length, JSON.stringify(used)).toBeGreaterThan(0);
    expect(used, JSON.stringify(used)).not.toContain('payments_pkey');
  });

  it("the checkout's attach reads the payment by its primary key", async () => {
    const ctx = testCtx();
    const used = await indexesWithEmptyPartials(
      'payments',
      attachIfCreated(ctx, ID, { sessionId: 'cs_test', url: '/pay/cs_test' }).getSQL(),
    );
    expect(used).toEqual(['payments_pkey']);
  });

  // The shapes of the other state checks (attempts.ts, bookings.ts, reports/jobs.ts, games/results.ts).
  it.each([
    ['attempts', () => stateIs(attempts.status, 'open'), attempts.id, attempts],
    ['bookings', () => stateIs(bookings.status, 'hold'), bookings.id, bookings],
    ['bookings', () => stateIs(bookings.status, 'confirmed'), bookings.id, bookings],
    ['games', () => stateIs(games.status, 'running'), games.id, games],
    [
      'reports',
      () => or(stateIs(reports.status, 'queued'), and(stateIs(reports.status, 'rendering'), sql`${reports.leaseUntil} < now()`))!,
      reports.id,
      reports,
    ],
  ] as const)('%s: id + stateIs reads the primary key only', async (table, check, id, from) => {
    const db = testCtx().services.db.db;
    const used = await indexesWithEmptyPartials(
      table,
      db
        .select({ id })
        .from(from as unknown as typeof payments)
        .where(and(eq(id, ID), check()))
        .getSQL(),
    );
    expect(used).toEqual([`${table}_pkey`]);
  });
});
