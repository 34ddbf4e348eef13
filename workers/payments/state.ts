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

export const OPEN_STATUSES = ['created', 'pending'] as const satisfies readonly PaymentStatus[];
