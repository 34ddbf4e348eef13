import { and, eq } from 'drizzle-orm';
import { bookings, payments, type Booking } from '../../db/schema/index.ts';
import type { Ctx } from '../lib/context.ts';
import { providerFor } from '../payments/provider.ts';
import { settle } from '../payments/settle.ts';

/**
 * Refunds the payment of a cancelled booking through the payments refund path: the provider
 * first (idempotent there), then settle records `refund:<payment>` — the same event id as an
 * admin refund, so the two can never both apply — and the booking's revoke marks it done.
 */
export async function refundPaymentFor(ctx: Ctx, b: Pick<Booking, 'id' | 'paymentId'>): Promise<'refunded' | 'nothing'> {
  const db = ctx.services.db.db;
  if (!b.paymentId) return 'nothing';
  const [p] = await db.select().from(payments).where(eq(payments.id, b.paymentId));
  if (!p || p.status === 'refunded') {
    await db
      .update(bookings)
      .set({ refund: 'done' })
      .where(and(eq(bookings.id, b.id), eq(bookings.refund, 'pending')));
    return 'nothing';
  }
  if (p.status !== 'succeeded' || !p.providerSessionId) return 'nothing';
  await providerFor(ctx).refund({ sessionId: p.providerSessionId, paymentId: p.id });
  await settle(ctx, {
    provider: p.provider,
    eventId: `refund:${p.id}`,
    type: 'payment.refunded',
    paymentId: p.id,
    sessionId: p.providerSessionId,
    status: 'refunded',
    amount: p.amount,
    currency: p.currency,
    payload: { source: 'booking_cancel', bookingId: b.id },
  });
  return 'refunded';
}
