/**
 * Applying what the provider says (a webhook, a refund, a reconciliation answer) to a payment:
 * one transaction that locks the payment, records the event id once, moves the state only
 * forwards and grants or revokes access in the same commit. Whatever the number and order of
 * deliveries, access changes exactly once per state change.
 *
 * Late money (documented rule): a `succeeded` event for a checkout we already canceled (it
 * expired after CHECKOUT_TTL_SEC, or the buyer canceled it) grants access — the buyer paid the
 * price the checkout quoted — unless the buyer already holds another succeeded payment for
 * the same thing; then (as for any second charge of an owned thing) the provider refunds it
 * and the payment is recorded as refunded with failure_reason 'duplicate_purchase'.
 */
import { eq, sql } from 'drizzle-orm';
import { providerFor } from './provider.ts';
import { paymentEvents, payments, type PaymentCurrency, type PaymentStatus } from '../../db/schema/payments.ts';
import type { Ctx } from '../lib/context.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { isId } from '../lib/context.ts';
import { notificationInsert, publishNotifications, type InsertedNotification } from '../notifications/notify.ts';
import { fulfilmentOf, type AfterCommit } from './purchases.ts';
import type { SettleOutcome } from './schemas.ts';
import { canMove, canMoveLate } from './state.ts';
import type { ProviderStatus } from './provider.ts';

export interface ProviderUpdate {
  provider: string;
  /** Stored once: a second delivery of the same id changes nothing. */
  eventId: string;
  type: string;
  paymentId: string;
  sessionId: string | null;
  status: ProviderStatus;
  amount: number;
  currency: PaymentCurrency;
  payload: Record<string, unknown>;
  /** Admin refunds: who. */
  actorId?: string;
  /** Why a payment failed or was canceled (stored as failure_reason), e.g. 'expired'. */
  reason?: string;
  /** Internal: the provider has already refunded this charge as a second purchase of an owned thing. */
  refundedAtProvider?: boolean;
}

/** Notified states: what the buyer needs to hear about. */
const NOTIFIED: PaymentStatus[] = ['succeeded', 'failed', 'refunded'];

export async function settle(ctx: Ctx, u: ProviderUpdate): Promise<{ outcome: SettleOutcome; status: PaymentStatus }> {
  // Not ours (or not committed yet): 404, nothing stored, so the provider's retry can land later.
  if (!isId(u.paymentId)) throw notFound('Payment');
  const after: AfterCommit[] = [];
  const notes: InsertedNotification[] = [];
  const result = await ctx.services.db.transaction(async (tx) => {
    // Whether the buyer already holds another succeeded payment for the same thing, read with the
    // lock in one round trip: a second charge for it is refunded, never granted twice.
    const [locked] = await tx
      .select({
        p: payments,
        // Spelled out: drizzle leaves columns unqualified in select expressions, which the alias would capture.
        owned: sql<boolean>`exists (select 1 from payments o where o.user_id = payments.user_id and o.purchase_kind = payments.purchase_kind
          and o.purchase_id = payments.purchase_id and o.status = 'succeeded' and o.id <> payments.id)`,
      })
      .from(payments)
      .where(eq(payments.id, u.paymentId))
      .for('update');
    if (!locked) throw notFound('Payment');
    const p = locked.p;
    if (p.provider !== u.provider || (p.providerSessionId && u.sessionId && p.providerSessionId !== u.sessionId)) {
      throw new AppError('bad_request', 'The event does not belong to this payment', { reason: 'session_mismatch' });
    }
    if (p.amount !== u.amount || p.currency !== u.currency) {
      throw new AppError('amount_mismatch', 'The event amount does not match the payment', {
        expected: { amount: p.amount, currency: p.currency },
      });
    }
    const move = canMove(p.status, u.status) || canMoveLate(p.status, u.status);
    let target: PaymentStatus = u.status;
    if (move && u.status === 'succeeded' && locked.owned) {
      // Nothing is written until the provider has given the money back (settle comes back here).
      if (!u.refundedAtProvider)
        return { outcome: 'refund_required' as const, status: p.status, sessionId: p.providerSessionId ?? u.sessionId };
      target = 'refunded';
    }
    const [recorded] = await tx
      .insert(paymentEvents)
      .values({
        provider: u.provider,
        eventId: u.eventId,
        paymentId: p.id,
        type: u.type,
        outcome: move ? 'applied' : 'ignored',
        payload: u.payload,
      })
      .onConflictDoNothing()
      .returning({ eventId: paymentEvents.eventId });
    if (!recorded) return { outcome: 'duplicate' as const, status: p.status };
    if (!move) return { outcome: 'ignored' as const, status: p.status };
    const duplicatePurchase = target === 'refunded' && u.status === 'succeeded';
    const [updated] = await tx
      .update(payments)
      .set({
        status: target,
        statusChangedAt: sql`now()`,
        providerSessionId: p.providerSessionId ?? u.sessionId,
        ...(target === 'succeeded' ? { succeededAt: sql`now()`, failureReason: null } : {}),
        ...(target === 'refunded' ? { refundedAt: sql`now()`, refundedBy: u.actorId ?? null } : {}),
        ...(duplicatePurchase ? { failureReason: 'duplicate_purchase' } : {}),
        ...(target === 'failed' ? { failureReason: u.reason ?? 'declined' } : {}),
        ...(target === 'canceled' && u.reason ? { failureReason: u.reason } : {}),
      })
      .where(eq(payments.id, p.id))
      .returning();
    // The notification before the access change: granting takes the course's day-statistics row
    // (a row every purchase of that course that day locks), held until COMMIT — kept short.
    if (NOTIFIED.includes(target)) {
      notes.push(
        ...(await notificationInsert(tx, {
          userId: p.userId,
          kind: 'payment',
          data: {
            paymentId: p.id,
            status: target,
            amount: p.amount,
            currency: p.currency,
            description: p.description,
            purchase: { kind: p.purchaseKind, id: p.purchaseId },
          },
          dedupeKey: `payment:${p.id}:${target}`,
        })),
      );
    }
    const f = fulfilmentOf(p.purchaseKind);
    if (target === 'succeeded') after.push(await f.grant(tx, updated!));
    // A duplicate purchase never granted anything: nothing to take back.
    if (target === 'refunded' && !duplicatePurchase) after.push(await f.revoke(tx, updated!));
    if ((target === 'failed' || target === 'canceled') && f.release) after.push(await f.release(tx, updated!));
    return { outcome: 'applied' as const, status: target };
  });
  if (result.outcome === 'refund_required') {
    // Refund at the provider first (idempotent there), then record it under the same event id;
    // if the refund call fails the webhook answers 5xx and the provider's retry comes back here.
    if (!result.sessionId) throw new AppError('conflict', 'The payment has no provider session to refund', { reason: 'no_session' });
    await providerFor(ctx).refund({ sessionId: result.sessionId, paymentId: u.paymentId });
    return settle(ctx, { ...u, refundedAtProvider: true });
  }
  for (const a of after) await a(ctx);
  publishNotifications(ctx, notes);
  return result;
}
