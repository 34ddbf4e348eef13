import type { Payment } from '../../db/schema/payments.ts';
import { iso } from '../lib/sql.ts';
import type { PaymentView } from './schemas.ts';

/** A payment row as the API shows it; the checkout link only while the payment is open. */
export function paymentView(p: Payment): PaymentView {
  const open = p.status === 'created' || p.status === 'pending';
  return {
    id: p.id,
    status: p.status,
    purchase: { kind: p.purchaseKind, id: p.purchaseId },
    description: p.description,
    amount: p.amount,
    currency: p.currency,
    provider: p.provider,
    sessionId: p.providerSessionId,
    checkoutUrl: open ? p.checkoutUrl : null,
    failureReason: p.failureReason,
    createdAt: iso(p.createdAt)!,
    succeededAt: iso(p.succeededAt),
    refundedAt: iso(p.refundedAt),
  };
}
