import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import { payments, type PaymentStatus } from '../../db/schema/payments.ts';
import type { Actor, Ctx } from '../lib/context.ts';
import { isId } from '../lib/context.ts';
import { decodeTimeIdCursor, toPage, type Page } from '../lib/cursor.ts';
import { notFound } from '../lib/errors.ts';
import { exactTs } from '../lib/sql.ts';
import type { PaymentView } from './schemas.ts';
import { paymentView } from './views.ts';

interface PageInput {
  cursor?: string;
  limit: number;
}

/** Keyset condition "after (createdAt, id)" in the newest-first order. */
async function after(cursor: string | undefined, secret: string): Promise<SQL | undefined> {
  if (!cursor) return undefined;
  const [ts, id] = await decodeTimeIdCursor(cursor, secret);
  return or(lt(payments.createdAt, sql`${ts}::timestamptz`), and(eq(payments.createdAt, sql`${ts}::timestamptz`), lt(payments.id, id)));
}

async function page(ctx: Ctx, where: (SQL | undefined)[], input: PageInput): Promise<Page<PaymentView>> {
  const rows = await ctx.services.db.db
    .select({ p: payments, ts: exactTs(payments.createdAt) })
    .from(payments)
    .where(and(...where, await after(input.cursor, ctx.config.JWT_SECRET)))
    .orderBy(desc(payments.createdAt), desc(payments.id))
    .limit(input.limit + 1);
  const pg = await toPage(rows, input.limit, (r) => [r.ts, r.p.id], ctx.config.JWT_SECRET);
  return { items: pg.items.map((r) => paymentView(r.p)), nextCursor: pg.nextCursor };
}

/** The buyer's own payments, newest first; `sessionId` finds the one a checkout returned from. */
export async function listMyPayments(ctx: Ctx, actor: Actor, input: PageInput & { sessionId?: string }) {
  return page(ctx, [eq(payments.userId, actor.id), input.sessionId ? eq(payments.providerSessionId, input.sessionId) : undefined], input);
}

/** A receipt: only the buyer's own (anyone else's id is 404, like a missing one). */
export async function getMyPayment(ctx: Ctx, actor: Actor, id: string): Promise<PaymentView> {
  if (!isId(id)) throw notFound('Payment');
  const [p] = await ctx.services.db.db
    .select()
    .from(payments)
    .where(and(eq(payments.id, id), eq(payments.userId, actor.id)));
  if (!p) throw notFound('Payment');
  return paymentView(p);
}

export interface AdminFilter extends PageInput {
  status?: PaymentStatus;
  /** Inclusive start and exclusive end of created_at. */
  from?: string;
  to?: string;
}

/** Admin list with filters, and totals per currency over the whole filtered set (not just the page). */
export async function adminListPayments(ctx: Ctx, input: AdminFilter) {
  const where = [
    input.status ? eq(payments.status, input.status) : undefined,
    input.from ? gte(payments.createdAt, new Date(input.from)) : undefined,
    input.to ? lt(payments.createdAt, new Date(input.to)) : undefined,
  ];
  const [pg, totals] = await Promise.all([
    page(ctx, where, input),
    ctx.services.db.db
      .select({
        currency: payments.currency,
        count: sql<number>`count(*)::int`,
        amount: sql<number>`coalesce(sum(${payments.amount}), 0)::bigint`,
      })
      .from(payments)
      .where(and(...where))
      .groupBy(payments.currency)
      .orderBy(payments.currency),
  ]);
  return { ...pg, totals: totals.map((t) => ({ currency: t.currency, count: Number(t.count), amount: Number(t.amount) })) };
}
