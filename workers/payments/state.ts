import type { PaymentStatus } from '../../db/schema/payments.ts';

/**
 * The payment state machine: created → pending → succeeded | failed | canceled; succeeded →
 * refunded. A transition is allowed only forwards, so a late `pending` after `succeeded`, a
 * duplicate `succeeded` or a `failed` after `succeeded` changes nothing.
 */
const next: Record<PaymentStatus, readonly PaymentStatus[]> = {
  created: ['pending', 'succeeded', 'failed', 'canceled'],
  pending: ['succeeded', 'failed', 'canceled'],
  succeeded: ['refunded'],
  failed: [],
  canceled: [],
  refunded: [],
};

export const canMove = (from: PaymentStatus, to: PaymentStatus) => next[from].includes(to);

/**
 * The one exception, where the provider's word about money beats our own bookkeeping: a
 * checkout we canceled (it expired, or the buyer canceled it) whose card was charged anyway
 * (paid at the last second, or the cancel lost a race at the provider). Money taken is never
 * kept without access: settle.ts grants it, or refunds it when the buyer already owns the thing.
 */
export const canMoveLate = (from: PaymentStatus, to: PaymentStatus) => from === 'canceled' && to === 'succeeded';

/**
 * How long an unpaid checkout stays open: 30 minutes, Stripe's minimum session life. Past it
 * the cron (or the next checkout for the same thing) expires the provider's session and
 * cancels the payment (failure_reason 'expired'); the price it quoted is kept until then.
 */
export const CHECKOUT_TTL_SEC = 30 * 60;

export const OPEN_STATUSES = ['created', 'pending'] as const satisfies readonly PaymentStatus[];
