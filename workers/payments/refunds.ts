import { eq } from 'drizzle-orm';
import { payments } from '../../db/schema/payments.ts';
import type { Actor, Ctx } from '../lib/context.ts';
import { isId } from '../lib/context.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { providerFor } from './provider.ts';
import { settle } from './settle.ts';
import type { RefundResult } from './schemas.ts';
import { paymentView } from './views.ts';

/**
 * Admin full refund. The provider refunds first (idempotent there); then the payment moves to
 * refunded and access is revoked in one transaction, recorded as the event `refund:<id>` so a
 * repeated request, and the provider's own `payment.refunded` webhook, change nothing more.
 */
export async function refundPayment(ctx: Ctx, admin: Actor, paymentId: string): Promise<RefundResult> {
  if (!isId(paymentId)) throw notFound('Payment');
  const load = async () => (await ctx.services.db.db.select().from(payments).where(eq(payments.id, paymentId)))[0];
  const p = await load();
  if (!p) throw notFound('Payment');
  if (p.status === 'refunded') return { refunded: false, payment: paymentView(p) };
  if (p.status !== 'succeeded' || !p.providerSessionId) {
    throw new AppError('conflict', 'Only a succeeded payment can be refunded', { reason: 'not_refundable', status: p.status });
  }
  const provider = providerFor(ctx);
  await provider.refund({ sessionId: p.providerSessionId, paymentId: p.id });
  const r = await settle(ctx, {
    provider: p.provider,
    eventId: `refund:${p.id}`,
    type: 'payment.refunded',
    paymentId: p.id,
    sessionId: p.providerSessionId,
    status: 'refunded',
    amount: p.amount,
    currency: p.currency,
    payload: { source: 'admin', adminId: admin.id },
    actorId: admin.id,
  });
  return { refunded: r.outcome === 'applied', payment: paymentView((await load())!) };
}
