/**
 * The mock provider's webhook sender: a queue consumer that signs each event at send time
 * (fresh timestamp, like a real provider) and POSTs it to the webhook endpoint. A non-2xx
 * answer is retried with exponential backoff; after max_retries the platform dead-letters
 * the message, and reconciliation settles the payment instead. Delivery goes through the
 * Worker's own fetch handler: the same route, checks and response a real provider would get.
 */
import { z } from 'zod';
import type { Env } from '../env.ts';
import { errorFields } from '../lib/logger.ts';
import { metricsFor } from '../lib/metrics.ts';
import { jobCtx } from '../lib/job-context.ts';
import { PAYMENT_WEBHOOKS_DLQ_NAME, PAYMENT_WEBHOOKS_QUEUE_NAME, ProviderEvent, type PaymentWebhookMessage } from './events.ts';
import { webhookSecret } from './provider.ts';

export { PAYMENT_WEBHOOKS_DLQ_NAME, PAYMENT_WEBHOOKS_QUEUE_NAME, type PaymentWebhookMessage };
import { SIGNATURE_HEADER, sign } from './signature.ts';

export const WEBHOOK_PATH = '/api/webhooks/payments';

const MessageSchema = z.object({ v: z.literal(1), event: ProviderEvent });

/** 2 s, 4 s, 8 s … capped at 5 minutes. */
export const webhookBackoffSeconds = (attempts: number) => Math.min(2 ** Math.max(1, attempts), 300);

export const isPaymentWebhookQueue = (name: string) => name === PAYMENT_WEBHOOKS_QUEUE_NAME || name === PAYMENT_WEBHOOKS_DLQ_NAME;

type Deliver = (request: Request, env: Env, exec: ExecutionContext) => Promise<Response> | Response;

export function createWebhookDelivery(deliver: Deliver) {
  return async (batch: MessageBatch<unknown>, env: Env, exec: ExecutionContext): Promise<void> => {
    const ctx = jobCtx(env, exec, { queue: batch.queue, batchSize: batch.messages.length });
    const metrics = metricsFor(env);
    if (batch.queue === PAYMENT_WEBHOOKS_DLQ_NAME) {
      // Out of retries: the cron's reconciliation asks the provider about the payment.
      for (const msg of batch.messages) {
        metrics.dlq(PAYMENT_WEBHOOKS_DLQ_NAME);
        ctx.log.warn('payment webhook dead-lettered; reconciliation will settle it', {
          messageId: msg.id,
          body: JSON.stringify(msg.body)?.slice(0, 500),
        });
        msg.ack();
      }
      return;
    }
    await Promise.all(
      batch.messages.map(async (msg) => {
        const started = Date.now();
        const parsed = MessageSchema.safeParse(msg.body);
        if (!parsed.success) {
          ctx.log.error('payment webhook: unreadable message dropped', { messageId: msg.id });
          msg.ack();
          metrics.job(PAYMENT_WEBHOOKS_QUEUE_NAME, Date.now() - started, 'dead');
          return;
        }
        const body = JSON.stringify(parsed.data.event);
        try {
          const signature = await sign(webhookSecret(ctx.config), body, Math.floor(Date.now() / 1000));
          const res = await deliver(
            new Request(`https://mock-pay.internal${WEBHOOK_PATH}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
              body,
            }),
            env,
            exec,
          );
          if (res.ok) {
            msg.ack();
            metrics.job(PAYMENT_WEBHOOKS_QUEUE_NAME, Date.now() - started, 'ack');
            return;
          }
          const delaySeconds = webhookBackoffSeconds(msg.attempts);
          ctx.log.warn('payment webhook refused; retrying', {
            eventId: parsed.data.event.id,
            status: res.status,
            body: (await res.text()).slice(0, 300),
            delaySeconds,
          });
          msg.retry({ delaySeconds });
          metrics.job(PAYMENT_WEBHOOKS_QUEUE_NAME, Date.now() - started, 'retry');
        } catch (err) {
          const delaySeconds = webhookBackoffSeconds(msg.attempts);
          ctx.log.warn('payment webhook delivery failed; retrying', { eventId: parsed.data.event.id, ...errorFields(err), delaySeconds });
          msg.retry({ delaySeconds });
          metrics.job(PAYMENT_WEBHOOKS_QUEUE_NAME, Date.now() - started, 'retry');
        }
      }),
    );
  };
}
