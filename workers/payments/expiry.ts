/**
 * Unpaid checkouts do not stay open forever: after CHECKOUT_TTL_SEC (30 minutes, Stripe's
 * minimum session life) the provider's session is closed and the payment canceled with
 * failure_reason 'expired'. Two paths reach it: the every-minute cron (expireStaleCheckouts),
 * and lazily the next checkout of the same thing by the same buyer (checkout.ts) — so an
 * abandoned checkout never blocks a new one, and never holds an old price for longer than that.
 *
 * The provider is asked to close the session FIRST and its answer decides: a session that was
 * paid in the meantime is settled as paid, not canceled. A payment that still lands afterwards
 * (a webhook for an expired session) follows settle.ts's late-money rule.
 */
import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import { payments, type Payment, type PaymentStatus } from '../../db/schema/payments.ts';
import type { Actor, Ctx } from '../lib/context.ts';
import { isId } from '../lib/context.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { errorFields } from '../lib/logger.ts';
import { providerFor, type ProviderStatus } from './provider.ts';
import { settle } from './settle.ts';
import { CHECKOUT_TTL_SEC, OPEN_STATUSES } from './state.ts';
import type { PaymentView } from './schemas.ts';
import { paymentView } from './views.ts';

const BATCH = 50;

export const isStale = (p: Payment, now: Date) => now.getTime() - p.createdAt.getTime() > CHECKOUT_TTL_SEC * 1000;

/** What the provider said after the close, as the steps settle() takes (in order). */
function stepsFor(status: ProviderStatus | 'open' | null): ProviderStatus[] {
  if (status === null || status === 'canceled') return ['canceled'];
  if (status === 'refunded') return ['succeeded', 'refunded'];
  if (status === 'succeeded' || status === 'failed') return [status];
  // 'open' / 'pending': the provider is still finishing a payment (a delayed method); its event decides.
  return [];
}

/** Closes one open checkout at the provider and settles what it says; returns the payment's status. */
export async function closeCheckout(ctx: Ctx, p: Payment, reason: 'expired' | 'canceled_by_buyer'): Promise<PaymentStatus> {
  const provider = providerFor(ctx);
  const remote = p.providerSessionId ? await provider.expire({ sessionId: p.providerSessionId, paymentId: p.id }) : null;
  let status = p.status;
  for (const step of stepsFor(remote?.status ?? null)) {
    const r = await settle(ctx, {
      provider: p.provider,
      // Cancel ids are ours; the others are the reconciliation's, so either path records them once.
      eventId: step === 'canceled' ? `${reason}:${p.id}` : `reconcile:${p.id}:${step}`,
      type: step === 'canceled' ? `checkout.${reason}` : `reconcile.${step}`,
      paymentId: p.id,
      sessionId: remote?.sessionId ?? p.providerSessionId,
      status: step,
      amount: p.amount,
      currency: p.currency,
      payload: { source: reason },
      reason: step === 'canceled' ? reason : undefined,
    });
    status = r.status;
  }
  return status;
}

/** The cron: open checkouts older than the TTL, oldest first, a batch per run. */
export async function expireStaleCheckouts(ctx: Ctx): Promise<{ expired: number; failed: number }> {
  const stale = await ctx.services.db.db
    .select()
    .from(payments)
    .where(
      and(inArray(payments.status, [...OPEN_STATUSES]), lt(payments.createdAt, sql`now() - make_interval(secs => ${CHECKOUT_TTL_SEC})`)),
    )
    .orderBy(asc(payments.createdAt))
    .limit(BATCH);
  let expired = 0;
  let failed = 0;
  for (const p of stale) {
    try {
      if ((await closeCheckout(ctx, p, 'expired')) === 'canceled') expired++;
    } catch (err) {
      failed++;
      ctx.log.error('expiring a checkout failed', { paymentId: p.id, ...errorFields(err) });
    }
  }
  return { expired, failed };
}

/** The buyer gives up an open checkout (e.g. to buy at a new price): 404 for someone else's. */
export async function cancelMyCheckout(ctx: Ctx, actor: Actor, paymentId: string): Promise<PaymentView> {
  if (!isId(paymentId)) throw notFound('Payment');
  const load = async () =>
    (
      await ctx.services.db.db
        .select()
        .from(payments)
        .where(and(eq(payments.id, paymentId), eq(payments.userId, actor.id)))
    )[0];
  const p = await load();
  if (!p) throw notFound('Payment');
  if (p.status === 'canceled') return paymentView(p);
  if (!(OPEN_STATUSES as readonly string[]).includes(p.status)) {
    throw new AppError('conflict', 'Only an open checkout can be canceled', { reason: 'not_open', status: p.status });
  }
  await closeCheckout(ctx, p, 'canceled_by_buyer');
  return paymentView((await load())!);
}
