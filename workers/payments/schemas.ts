import { z } from '@hono/zod-openapi';
import { PAYMENT_CURRENCIES, paymentStatusEnum } from '../../db/schema/payments.ts';

/**
 * The payments API's answers, written once: the routes document them, the domain returns their
 * inferred types, and the site's types are generated from the document (`npm run gen:api`).
 */
export const PaymentStatusSchema = z.enum(paymentStatusEnum.enumValues);
export const PaymentSchema = z
  .object({
    id: z.string(),
    status: PaymentStatusSchema,
    purchase: z.object({ kind: z.string(), id: z.string() }),
    description: z.string(),
    amount: z.number().int().openapi({ description: 'Minor units (tiyn, kopecks, cents)' }),
    currency: z.enum(PAYMENT_CURRENCIES),
    provider: z.string(),
    sessionId: z.string().nullable(),
    checkoutUrl: z
      .string()
      .nullable()
      .openapi({ description: 'The hosted checkout page while the payment is open; null once it is settled' }),
    failureReason: z.string().nullable(),
    createdAt: z.string(),
    succeededAt: z.string().nullable(),
    refundedAt: z.string().nullable(),
  })
  .openapi('Payment');
export const PaymentTotalsSchema = z.array(z.object({ currency: z.string(), count: z.number(), amount: z.number() }));
export const RefundResultSchema = z.object({ refunded: z.boolean(), payment: PaymentSchema });
export const WebhookResultSchema = z.object({
  received: z.literal(true),
  outcome: z.enum(['applied', 'ignored', 'duplicate']),
  /** null: an event type we do not act on (acknowledged so the provider stops sending it). */
  status: PaymentStatusSchema.nullable(),
});

/** What the API shows of a payment (the buyer's receipt and the admin's row). */
export type PaymentView = z.infer<typeof PaymentSchema>;
export type PaymentTotals = z.infer<typeof PaymentTotalsSchema>;
export type RefundResult = z.infer<typeof RefundResultSchema>;
export type SettleOutcome = z.infer<typeof WebhookResultSchema>['outcome'];
