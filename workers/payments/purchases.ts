/**
 * What can be bought: each purchase kind registers a fulfilment — how to price it (always
 * from the server), how to grant it and how to take it back. grant and revoke run inside the
 * transaction that changes the payment's state, so access changes exactly when the payment
 * does. A new kind (a consultation booking) adds an entry here and a member to Purchase;
 * checkout, webhooks, refunds and reconciliation stay as they are.
 */
import { sql } from 'drizzle-orm';
import type { RunnableQuery } from 'drizzle-orm/runnable-query';
import { z } from 'zod';
import type { HttpDb, Tx } from '../../db/client.ts';
import { PAYMENT_CURRENCIES, type Payment, type PaymentCurrency } from '../../db/schema/payments.ts';
import { isId, type Ctx } from '../lib/context.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { bookingFulfilment } from '../consultations/fulfilment.ts';
import { enrollmentChanged, grantEnrollmentIn, revokeEnrollmentIn } from '../learning/enrollment.ts';

// Ids as the rest of the API takes them (any 128-bit hex id Postgres stores, not only RFC version 4).
export const Purchase = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('course'), id: z.string().refine(isId, 'Invalid id') }).strict(),
  z.object({ kind: z.literal('booking'), id: z.string().refine(isId, 'Invalid id') }).strict(),
]);
export type Purchase = z.infer<typeof Purchase>;
export type PurchaseKind = Purchase['kind'];

export interface Quote {
  amount: number;
  currency: PaymentCurrency;
  description: string;
  /** Site path the buyer comes back to after the hosted checkout. */
  returnPath: string;
}

/** Work to do once the transaction committed (cache invalidation, live pushes). */
export type AfterCommit = (ctx: Ctx) => Promise<void>;

export interface QuoteInput {
  userId: string;
  id: string;
  lang: 'ru' | 'kk' | 'en';
}

/** A price as one read and what to make of its result: the Quote, or the error the buyer gets. */
export interface PriceRead<R = unknown> {
  query: RunnableQuery<R, 'pg'>;
  quote(result: R): Quote;
}

export interface Fulfilment {
  /** The price, always from the server: a read that checkout sends in the round trip of its idempotency claim. */
  quote(ctx: Ctx, input: QuoteInput): PriceRead;
  grant(tx: Tx, payment: Payment): Promise<AfterCommit>;
  revoke(tx: Tx, payment: Payment): Promise<AfterCommit>;
  /** Optional: the payment failed or was canceled (a held consultation slot is freed). */
  release?(tx: Tx, payment: Payment): Promise<AfterCommit>;
}

interface CourseQuoteRow extends Record<string, unknown> {
  price: number;
  currency: string;
  title: string | null;
  published: boolean;
  owned: boolean;
}

const course: Fulfilment = {
  quote(ctx, { userId, id, lang }): PriceRead<{ rows: CourseQuoteRow[] }> {
    return {
      query: (ctx.services.db.db as HttpDb).execute<CourseQuoteRow>(
        sql`select c.price_amount as price, c.currency, coalesce(c.title->>${lang}, c.title->>'ru', c.title->>'en', c.title->>'kk') as title, c.published,
              exists (select 1 from enrollments e where e.user_id = ${userId}::uuid and e.course_id = c.id) as owned
            from courses c where c.id = ${id}::uuid`,
      ),
      quote({ rows }) {
        const c = rows[0];
        if (!c?.published) throw notFound('Course');
        if (c.owned) throw new AppError('conflict', 'You already have this course', { reason: 'already_owned', courseId: id });
        if (c.price <= 0) throw new AppError('bad_request', 'This course is free: enroll without paying', { reason: 'free', courseId: id });
        if (!(PAYMENT_CURRENCIES as readonly string[]).includes(c.currency)) {
          throw new AppError('bad_request', 'This course is priced in a currency we cannot charge', {
            reason: 'unsupported_currency',
            currency: c.currency,
          });
        }
        return {
          amount: c.price,
          currency: c.currency as PaymentCurrency,
          description: (c.title ?? 'Course').slice(0, 300),
          returnPath: `/${lang}/courses/${id}`,
        };
      },
    };
  },
  async grant(tx, p) {
    const change = await grantEnrollmentIn(tx, { userId: p.userId, courseId: p.purchaseId });
    return (ctx) => enrollmentChanged(ctx, change);
  },
  async revoke(tx, p) {
    const change = await revokeEnrollmentIn(tx, { userId: p.userId, courseId: p.purchaseId });
    return (ctx) => enrollmentChanged(ctx, change);
  },
};

export const fulfilments: Record<PurchaseKind, Fulfilment> = { course, booking: bookingFulfilment };

export function fulfilmentOf(kind: string): Fulfilment {
  const f = (fulfilments as Record<string, Fulfilment | undefined>)[kind];
  if (!f) throw new AppError('internal', `No fulfilment for purchase kind ${kind}`);
  return f;
}
