import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, id, timestamps } from './columns.ts';
import { users } from './identity.ts';

export const PAYMENT_CURRENCIES = ['KZT', 'RUB', 'USD'] as const;
export type PaymentCurrency = (typeof PAYMENT_CURRENCIES)[number];

/**
 * created → pending → succeeded | failed | canceled; succeeded → refunded. The payments
 * domain only ever moves a payment forward (workers/payments/state.ts).
 */
export const paymentStatusEnum = pgEnum('payment_status', ['created', 'pending', 'succeeded', 'failed', 'canceled', 'refunded']);

/**
 * One attempt to buy one thing. What is bought is a typed target (purchase_kind + purchase_id:
 * a course today, a booking later); the price is copied from the server's catalog at checkout.
 */
export const payments = pgTable(
  'payments',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Validated in code against the registered fulfilments (workers/payments/purchases.ts). */
    purchaseKind: text('purchase_kind').notNull(),
    purchaseId: uuid('purchase_id').notNull(),
    /** Shown on receipts; copied at checkout so a renamed course keeps its receipt. */
    description: text('description').notNull(),
    /** Minor units (tiyn, kopecks, cents). */
    amount: integer('amount').notNull(),
    currency: text('currency').$type<PaymentCurrency>().notNull(),
    status: paymentStatusEnum('status').notNull().default('created'),
    provider: text('provider').notNull(),
    providerSessionId: text('provider_session_id'),
    checkoutUrl: text('checkout_url'),
    failureReason: text('failure_reason'),
    statusChangedAt: timestamp('status_changed_at', { withTimezone: true }).notNull().defaultNow(),
    succeededAt: timestamp('succeeded_at', { withTimezone: true }),
    refundedAt: timestamp('refunded_at', { withTimezone: true }),
    refundedBy: uuid('refunded_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps(),
  },
  (t) => [
    index('payments_user_created_idx').on(t.userId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('payments_created_idx').on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('payments_status_created_idx').on(t.status, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // Reconciliation reads the open ones, oldest change first.
    index('payments_open_idx').on(t.statusChangedAt).where(sql`${t.status} in ('created', 'pending')`),
    uniqueIndex('payments_provider_session_key').on(t.provider, t.providerSessionId),
    // One open checkout per buyer and thing: a second "buy" resumes it instead of charging twice.
    uniqueIndex('payments_open_purchase_key').on(t.userId, t.purchaseKind, t.purchaseId).where(sql`${t.status} in ('created', 'pending')`),
    // At most one live (succeeded, not refunded) payment per buyer and thing: access is bought once.
    uniqueIndex('payments_succeeded_purchase_key').on(t.userId, t.purchaseKind, t.purchaseId).where(sql`${t.status} = 'succeeded'`),
    check('payments_amount_check', sql`${t.amount} > 0`),
    check('payments_currency_check', sql`${t.currency} in ('KZT', 'RUB', 'USD')`),
  ],
);

/** Each provider event once: the row is inserted in the same transaction as its effect. */
export const paymentEvents = pgTable(
  'payment_events',
  {
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    paymentId: uuid('payment_id')
      .notNull()
      .references(() => payments.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    /** What the event did: 'applied' moved the state, 'ignored' was stale or out of order. */
    outcome: text('outcome').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    receivedAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'payment_events_pkey', columns: [t.provider, t.eventId] }),
    index('payment_events_payment_idx').on(t.paymentId),
  ],
);

/**
 * Idempotency keys of payment-creating requests (Stripe's rules: same key and body → the
 * stored response, errors included; another body → 422; 24 hours). The row is inserted
 * before the work starts, so of many parallel requests exactly one does it.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The operation, e.g. 'checkout': the same key may be used for different operations. */
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    /** Null while the first request is still working. */
    responseStatus: smallint('response_status'),
    responseBody: jsonb('response_body').$type<unknown>(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'idempotency_keys_pkey', columns: [t.userId, t.scope, t.key] }),
    index('idempotency_keys_expires_idx').on(t.expiresAt),
  ],
);

/**
 * The built-in mock provider's own state (its "servers"), kept apart from the payments it
 * serves. Unused in production (the mock is disabled there).
 */
export const mockPaySessions = pgTable('mock_pay_sessions', {
  id: text('id').primaryKey(),
  /** The merchant's reference: our payment id. */
  reference: uuid('reference').notNull().unique(),
  amount: integer('amount').notNull(),
  currency: text('currency').notNull(),
  description: text('description').notNull(),
  returnPath: text('return_path').notNull(),
  /** open → requires_confirmation → paid | declined | canceled; paid → refunded. */
  status: text('status').notNull().default('open'),
  ...timestamps(),
});

export type Payment = typeof payments.$inferSelect;
export type PaymentStatus = Payment['status'];
export type PaymentEvent = typeof paymentEvents.$inferSelect;
export type MockPaySession = typeof mockPaySessions.$inferSelect;
