/**
 * POST /api/checkout: a payment for a purchase at the server's price and a hosted checkout
 * session at the provider. Order matters for lost and early webhooks: the payment row is
 * committed ('created') BEFORE the provider hears of it, so any event the provider sends
 * finds it; attaching the session afterwards never moves a payment the webhook already
 * settled back to pending.
 *
 * A price change while a checkout is open (documented rule): the stored quote wins. A checkout's
 * price is fixed when it is created, as a Stripe Checkout Session's is; a new "buy" for the same
 * thing resumes the open checkout at that price until it expires (CHECKOUT_TTL_SEC), and only
 * then is a new one created at the current price. A buyer who sent `expected` with another price
 * gets 400 amount_mismatch naming the open checkout, and may cancel it (POST
 * /api/payments/:id/cancel) to buy at the current price at once.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { PAYMENT_CURRENCIES, payments, type Payment } from '../../db/schema/payments.ts';
import type { Actor, Ctx } from '../lib/context.ts';
import { AppError } from '../lib/errors.ts';
import { hit, rateLimited } from '../lib/ratelimit.ts';
import { closeCheckout, isStale } from './expiry.ts';
import { withIdempotency, type Claimed, type Outcome, type Stored } from './idempotency.ts';
import { providerFor } from './provider.ts';
import { Purchase, fulfilmentOf, type Quote } from './purchases.ts';
import { OPEN_STATUSES } from './state.ts';
import type { PaymentView } from './schemas.ts';
import { paymentView } from './views.ts';
import { emailVerifiedGate } from '../identity/recovery.ts';
import { stateIs } from '../lib/sql.ts';

export const CheckoutInput = z
  .object({
    purchase: Purchase,
    /** Language of the pages the buyer returns to. */
    lang: z.enum(['ru', 'kk', 'en']).default('ru'),
    /** Optional: the price the buyer saw. A different server price is refused (400 amount_mismatch), never charged. */
    expected: z
      .object({ amount: z.number().int().positive(), currency: z.enum(PAYMENT_CURRENCIES) })
      .strict()
      .optional(),
  })
  .strict();
export type CheckoutInput = z.infer<typeof CheckoutInput>;

async function openPayment(ctx: Ctx, userId: string, purchase: Purchase): Promise<Payment | undefined> {
  const [row] = await ctx.services.db.db
    .select()
    .from(payments)
    .where(
      and(
        eq(payments.userId, userId),
        eq(payments.purchaseKind, purchase.kind),
        eq(payments.purchaseId, purchase.id),
        inArray(payments.status, [...OPEN_STATUSES]),
      ),
    );
  return row;
}

/** Records the provider's session; a webhook may have settled the payment already: only 'created' moves on to 'pending'. */
export async function attachSession(
  ctx: Ctx,
  paymentId: string,
  session: { sessionId: string; url: string },
): Promise<Payment | undefined> {
  const [attached] = await ctx.services.db.db
    .update(payments)
    .set({
      providerSessionId: session.sessionId,
      checkoutUrl: session.url,
      status: sql`case when ${payments.status} = 'created' then 'pending'::payment_status else ${payments.status} end`,
    })
    .where(eq(payments.id, paymentId))
    .returning();
  return attached;
}

/** The attach of attachSession for a payment still 'created' (no webhook came first): no row changes otherwise. */
export function attachIfCreated(ctx: Ctx, paymentId: string, session: { sessionId: string; url: string }) {
  return ctx.services.db.db
    .update(payments)
    .set({ providerSessionId: session.sessionId, checkoutUrl: session.url, status: 'pending' })
    .where(and(eq(payments.id, paymentId), stateIs(payments.status, 'created')))
    .returning({ id: payments.id });
}

async function createCheckout(
  ctx: Ctx,
  actor: Actor,
  input: CheckoutInput,
  quote: Quote,
  finish: Claimed<PaymentView, unknown>['finish'],
): Promise<Outcome<PaymentView>> {
  // `expected` is the price the buyer saw: compared with what would be charged, never charged blindly.
  const expectedBy = (p: { amount: number; currency: string }) =>
    !input.expected || (input.expected.amount === p.amount && input.expected.currency === p.currency);
  const provider = providerFor(ctx);
  const insertAtQuote = async () => {
    if (!expectedBy(quote)) return undefined;
    const [row] = await ctx.services.db.db
      .insert(payments)
      .values({
        userId: actor.id,
        purchaseKind: input.purchase.kind,
        purchaseId: input.purchase.id,
        description: quote.description,
        amount: quote.amount,
        currency: quote.currency,
        provider: provider.name,
      })
      .onConflictDoNothing()
      .returning();
    return row;
  };
  let inserted = await insertAtQuote();
  // The buyer already has an open checkout for this (another key, another tab): resume it,
  // unless it is past its life — then close it (lazily, without waiting for the cron) and start anew.
  let payment = inserted ?? (await openPayment(ctx, actor.id, input.purchase));
  if (payment && !inserted && isStale(payment, ctx.services.now())) {
    await closeCheckout(ctx, payment, 'expired');
    inserted = await insertAtQuote();
    payment = inserted ?? (await openPayment(ctx, actor.id, input.purchase));
  }
  if (!payment && !expectedBy(quote)) {
    throw new AppError('amount_mismatch', 'The price has changed: check it and try again', {
      price: { amount: quote.amount, currency: quote.currency },
    });
  }
  if (!payment) throw new AppError('conflict', 'The checkout changed at the same time; try again', { reason: 'race' });
  if (!expectedBy(payment)) {
    throw new AppError('amount_mismatch', 'An earlier checkout at another price is still open: finish or cancel it first', {
      price: { amount: payment.amount, currency: payment.currency },
      reason: 'open_checkout',
      paymentId: payment.id,
    });
  }
  const status = inserted ? 201 : 200;
  if (!payment.providerSessionId) {
    const session = await provider.createCheckoutSession({
      paymentId: payment.id,
      ...quote,
      amount: payment.amount,
      currency: payment.currency,
    });
    if (payment.status === 'created') {
      // Every other change moves a payment out of 'created', so while it is still 'created' the
      // attached row, and the answer, are known before the write: attach and store it in one round trip.
      const result = {
        status,
        body: paymentView({ ...payment, providerSessionId: session.sessionId, checkoutUrl: session.url, status: 'pending' }),
      };
      if (await finish(attachIfCreated(ctx, payment.id, session), result)) return result;
    }
    // A webhook came first: attach without undoing what it did, and answer the row as it is.
    payment = (await attachSession(ctx, payment.id, session)) ?? payment;
  }
  return { status, body: paymentView(payment) };
}

export async function checkout(ctx: Ctx, actor: Actor, input: CheckoutInput, idempotencyKey: string): Promise<Stored<PaymentView>> {
  // Money path: fails closed when Redis is down (the policy's failMode).
  const decision = await hit(ctx.services.redis, 'payments.checkout', actor.id);
  if (!decision.allowed) throw rateLimited(decision, 'Too many checkout attempts, wait a minute');
  const priced = fulfilmentOf(input.purchase.kind).quote(ctx, { userId: actor.id, id: input.purchase.id, lang: input.lang });
  // The email check rides on the claim (refused before anything is claimed or stored, as a check
  // of its own would be), and the price read on its round trip; the quote's errors are stored.
  return withIdempotency(
    ctx,
    {
      userId: actor.id,
      scope: 'checkout',
      key: idempotencyKey,
      body: input,
      precondition: emailVerifiedGate(actor.id),
      read: priced.query,
    },
    ({ read, finish }) => createCheckout(ctx, actor, input, priced.quote(read), finish),
  );
}
