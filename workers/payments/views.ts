import type { Payment } from '../../db/schema/payments.ts';

/** What the API shows of a payment (the buyer's receipt and the admin's row). */
export interface PaymentView {
  id: string;
  status: Payment['status'];
  purchase: { kind: string; id: string };
  description: string;
  amount: number;
  currency: Payment['currency'];
  provider: string;
  sessionId: string | null;
  /** The hosted checkout page while the payment is open; null once it is settled. */
  checkoutUrl: string | null;
  failureReason: string | null;
  createdAt: string;
  succeededAt: string | null;
  refundedAt: string | null;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

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
