/**
 * The payment provider boundary. The payments domain talks to a provider only through this
 * interface; which one is chosen by PAYMENTS_PROVIDER:
 * - `mock` (local and tests): the built-in provider of ./mock-provider.ts, served by this
 *   Worker under /api/mock-pay and disabled in production (config refuses it there);
 * - `stripe`: the place for a real provider. A Stripe-style hosted checkout (and Kaspi Pay /
 *   CloudPayments / Freedom Pay, which have the same shape) implements these four calls
 *   over its HTTP API with a secret key; until it is written, calls fail with 503 and nothing
 *   is charged. Tests never reach it.
 */
import type { PaymentCurrency } from '../../db/schema/payments.ts';
import type { ProviderEvent, ProviderStatus } from './events.ts';
import type { Config } from '../env.ts';
import type { Ctx } from '../lib/context.ts';
import { AppError } from '../lib/errors.ts';
import { mockProvider } from './mock-provider.ts';

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

export interface PaymentProvider {
  readonly name: string;
  createCheckoutSession(req: CheckoutRequest): Promise<CheckoutSession>;
  /** Verifies the signature (constant time, 5-minute tolerance) and parses the body; 400 otherwise. */
  parseWebhook(rawBody: string, signatureHeader: string | undefined, now: Date): Promise<ProviderEvent>;
  /** Full refund; idempotent on the provider's side (a second call for a refunded payment is fine). */
  refund(ref: { sessionId: string; paymentId: string }): Promise<void>;
  /** For reconciliation: what the provider knows about the payment, or null if it has no such session. */
  retrieve(ref: {
    sessionId: string | null;
    paymentId: string;
  }): Promise<{ sessionId: string; status: ProviderStatus | 'open'; amount: number; currency: PaymentCurrency } | null>;
}

/** The webhook secret: set PAYMENTS_WEBHOOK_SECRET for a real provider; the mock derives one from JWT_SECRET. */
export function webhookSecret(config: Config): string {
  if (config.PAYMENTS_WEBHOOK_SECRET) return config.PAYMENTS_WEBHOOK_SECRET;
  if (config.PAYMENTS_PROVIDER === 'mock') return `mock-pay-webhooks:${config.JWT_SECRET}`;
  throw new AppError('service_unavailable', 'Payments are not configured', { missing: 'PAYMENTS_WEBHOOK_SECRET' });
}

const notConfigured = () =>
  new AppError('service_unavailable', 'The payment provider is not configured yet', { provider: 'stripe' }, { 'Retry-After': '60' });

/** The real-provider stub: documented, selected by PAYMENTS_PROVIDER=stripe, charges nothing. */
const stripeStub: PaymentProvider = {
  name: 'stripe',
  createCheckoutSession: () => Promise.reject(notConfigured()),
  parseWebhook: () => Promise.reject(notConfigured()),
  refund: () => Promise.reject(notConfigured()),
  retrieve: () => Promise.reject(notConfigured()),
};

export function providerFor(ctx: Ctx): PaymentProvider {
  return ctx.config.PAYMENTS_PROVIDER === 'mock' ? mockProvider(ctx) : stripeStub;
}
