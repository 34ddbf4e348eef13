/**
 * The payment provider boundary. The payments domain talks to a provider only through this
 * interface; which one is chosen by PAYMENTS_PROVIDER:
 * - `mock` (local and tests): the built-in provider of ./mock-provider.ts, served by this
 *   Worker under /api/mock-pay and disabled in production (config refuses it there);
 * - `stripe`: Stripe Checkout over its HTTP API (./stripe.ts), configured by STRIPE_SECRET_KEY,
 *   PAYMENTS_WEBHOOK_SECRET (the endpoint's whsec_…) and SITE_URL; missing settings answer
 *   503 and charge nothing. Kaspi Pay / CloudPayments / Freedom Pay have the same shape and
 *   would be one more adapter here. Tests reach Stripe only through a recorded fake fetch.
 */
import type { PaymentCurrency } from '../../db/schema/payments.ts';
import type { ProviderEvent, ProviderStatus } from './events.ts';
import type { Config } from '../env.ts';
import type { Ctx } from '../lib/context.ts';
import { AppError } from '../lib/errors.ts';
import { mockProvider } from './mock-provider.ts';
import { stripeProvider } from './stripe.ts';

export { PROVIDER_STATUSES, ProviderEvent, type ProviderStatus } from './events.ts';

export interface CheckoutRequest {
  /** Our payment id: the provider echoes it back in every event (the merchant reference). */
  paymentId: string;
  amount: number;
  currency: PaymentCurrency;
  description: string;
  /** Site path the hosted page sends the buyer back to (the provider adds session_id). */
  returnPath: string;
}

export interface CheckoutSession {
  sessionId: string;
  /** Where the buyer pays: the provider's hosted checkout page. */
  url: string;
}

/** What the provider knows about a session ('open': not paid, not closed). */
export interface RemoteSession {
  sessionId: string;
  status: ProviderStatus | 'open';
  amount: number;
  currency: PaymentCurrency;
}

export interface PaymentProvider {
  readonly name: string;
  /** The request header carrying the webhook signature. */
  readonly signatureHeader: string;
  createCheckoutSession(req: CheckoutRequest): Promise<CheckoutSession>;
  /**
   * Verifies the signature (constant time, 5-minute tolerance) and parses the body; 400 otherwise.
   * null: a genuine event of a type we do not act on (acknowledged, nothing stored).
   */
  parseWebhook(rawBody: string, signatureHeader: string | undefined, now: Date): Promise<ProviderEvent | null>;
  /** Full refund; idempotent on the provider's side (a second call for a refunded payment is fine). */
  refund(ref: { sessionId: string; paymentId: string }): Promise<void>;
  /** For reconciliation: what the provider knows about the payment, or null if it has no such session. */
  retrieve(ref: { sessionId: string | null; paymentId: string }): Promise<RemoteSession | null>;
  /**
   * Closes an open session so it can no longer be paid, and says what it is afterwards: 'canceled'
   * when it closed unpaid, or what it had become first (e.g. 'succeeded': paid at the last moment).
   */
  expire(ref: { sessionId: string; paymentId: string }): Promise<RemoteSession | null>;
}

/** The webhook secret: set PAYMENTS_WEBHOOK_SECRET for a real provider; the mock derives one from JWT_SECRET. */
export function webhookSecret(config: Config): string {
  if (config.PAYMENTS_WEBHOOK_SECRET) return config.PAYMENTS_WEBHOOK_SECRET;
  if (config.PAYMENTS_PROVIDER === 'mock') return `mock-pay-webhooks:${config.JWT_SECRET}`;
  throw new AppError('service_unavailable', 'Payments are not configured', { missing: 'PAYMENTS_WEBHOOK_SECRET' });
}

function stripeFor(ctx: Ctx): PaymentProvider {
  const { STRIPE_SECRET_KEY, PAYMENTS_WEBHOOK_SECRET, SITE_URL } = ctx.config;
  if (!STRIPE_SECRET_KEY || !PAYMENTS_WEBHOOK_SECRET || !SITE_URL) {
    const missing = Object.entries({ STRIPE_SECRET_KEY, PAYMENTS_WEBHOOK_SECRET, SITE_URL })
      .filter(([, v]) => !v)
      .map(([k]) => k);
    throw new AppError(
      'service_unavailable',
      'The payment provider is not configured',
      { provider: 'stripe', missing },
      { 'Retry-After': '60' },
    );
  }
  return stripeProvider({
    secretKey: STRIPE_SECRET_KEY,
    webhookSecret: PAYMENTS_WEBHOOK_SECRET,
    siteOrigin: SITE_URL,
    now: ctx.services.now,
  });
}

export function providerFor(ctx: Ctx): PaymentProvider {
  return ctx.config.PAYMENTS_PROVIDER === 'mock' ? mockProvider(ctx) : stripeFor(ctx);
}
