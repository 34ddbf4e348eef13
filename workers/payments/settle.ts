/**
 * Applying what the provider says (a webhook, a refund, a reconciliation answer) to a payment:
 * one transaction that locks the payment, records the event id once, moves the state only
 * forwards and grants or revokes access in the same commit. Whatever the number and order of
 * deliveries, access changes exactly once per state change.
 */
import { eq, sql } from 'drizzle-orm';
import { paymentEvents, payments, type PaymentCurrency, type PaymentStatus } from '../../db/schema/payments.ts';
import type { Ctx } from '../lib/context.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { isId } from '../lib/context.ts';
import { notificationInsert, publishNotifications, type InsertedNotification } from '../notifications/notify.ts';
import { fulfilmentOf, type AfterCommit } from './purchases.ts';
import { canMove } from './state.ts';
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
}

export type SettleOutcome = 'applied' | 'ignored' | 'duplicate';

/** Notified states: what the buyer needs to hear about. */
const NOTIFIED: PaymentStatus[] = ['succeeded', 'failed', 'refunded'];

export async function settle(ctx: Ctx, u: ProviderUpdate): Promise<{ outcome: SettleOutcome; status: PaymentStatus }> {
  // Not ours (or not committed yet): 404, nothing stored, so the provider's retry can land later.
  if (!isId(u.paymentId)) throw notFound('Payment');
  const after: AfterCommit[] = [];
  const notes: InsertedNotification[] = [];
  const result = await ctx.services.db.transaction(async (tx) => {
    const [p] = await tx.select().from(payments).where(eq(payments.id, u.paymentId)).for('update');
    if (!p) throw notFound('Payment');
    if (p.provider !== u.provider || (p.providerSessionId && u.sessionId && p.providerSessionId !== u.sessionId)) {
      throw new AppError('bad_request', 'The event does not belong to this payment', { reason: 'session_mismatch' });
    }
    if (p.amount !== u.amount || p.currency !== u.currency) {
      throw new AppError('amount_mismatch', 'The event amount does not match the payment', {
        expected: { amount: p.amount, currency: p.currency },
      });
    }
    const move = canMove(p.status, u.status);
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
    const [updated] = await tx
      .update(payments)
      .set({
        status: u.status,
        statusChangedAt: sql`now()`,
        providerSessionId: p.providerSessionId ?? u.sessionId,
        ...(u.status === 'succeeded' ? { succeededAt: sql`now()` } : {}),
        ...(u.status === 'refunded' ? { refundedAt: sql`now()`, refundedBy: u.actorId ?? null } : {}),
        ...(u.status === 'failed' ? { failureReason: 'declined' } : {}),
      })
      .where(eq(payments.id, p.id))
      .returning();
    const f = fulfilmentOf(p.purchaseKind);
    if (u.status === 'succeeded') after.push(await f.grant(tx, updated!));
    if (u.status === 'refunded') after.push(await f.revoke(tx, updated!));
    if ((u.status === 'failed' || u.status === 'canceled') && f.release) after.push(await f.release(tx, updated!));
    if (NOTIFIED.includes(u.status)) {
      notes.push(
        ...(await notificationInsert(tx, {
          userId: p.userId,
          kind: 'payment',
          data: {
            paymentId: p.id,
            status: u.status,
            amount: p.amount,
            currency: p.currency,
            description: p.description,
            purchase: { kind: p.purchaseKind, id: p.purchaseId },
          },
          dedupeKey: `payment:${p.id}:${u.status}`,
        })),
      );
    }
    return { outcome: 'applied' as const, status: u.status };
  });
  for (const a of after) await a(ctx);
  publishNotifications(ctx, notes);
  return result;
}
