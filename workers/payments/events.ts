/**
 * Provider events in our terms, and the queue the mock provider delivers them through.
 * Kept apart from provider.ts so the queue consumer does not import the providers.
 */
import { z } from 'zod';
import { PAYMENT_CURRENCIES } from '../../db/schema/payments.ts';

/** What the provider says a payment is (its own vocabulary mapped to ours). */
export const PROVIDER_STATUSES = ['pending', 'succeeded', 'failed', 'canceled', 'refunded'] as const;
export type ProviderStatus = (typeof PROVIDER_STATUSES)[number];

/** A verified webhook event, in our terms. */
export const ProviderEvent = z.object({
  id: z.string().regex(/^[A-Za-z0-9_:-]{1,128}$/),
  type: z.string().regex(/^[a-z_.]{1,64}$/),
  /** Unix seconds when the provider created the event. */
  created: z.number().int().nonnegative(),
  data: z.object({
    reference: z.string().uuid(),
    sessionId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/),
    status: z.enum(PROVIDER_STATUSES),
    amount: z.number().int().positive(),
    currency: z.enum(PAYMENT_CURRENCIES),
  }),
});
export type ProviderEvent = z.infer<typeof ProviderEvent>;

/** Queue names as in wrangler.toml. */
export const PAYMENT_WEBHOOKS_QUEUE_NAME = 'sabaq-payment-webhooks';
export const PAYMENT_WEBHOOKS_DLQ_NAME = 'sabaq-payment-webhooks-dlq';

export interface PaymentWebhookMessage {
  v: 1;
  event: ProviderEvent;
}
