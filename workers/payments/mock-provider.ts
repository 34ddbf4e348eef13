/**
 * The built-in mock payment provider: a stand-in for a hosted-checkout provider that behaves
 * like one. It keeps its own sessions (mock_pay_sessions: its "servers"), serves a hosted card
 * page (./mock-pay-routes.ts), and tells the merchant what happened only through signed
 * webhooks delivered by a queue with retries (./webhook-delivery.ts) — on purpose sometimes
 * twice and out of order (MOCK_PAY_DUPLICATE_RATE, MOCK_PAY_MAX_DELAY_SEC).
 */
import { eq, sql } from 'drizzle-orm';
import { mockPaySessions, type MockPaySession, type PaymentCurrency } from '../../db/schema/payments.ts';
import type { Ctx } from '../lib/context.ts';
import { AppError } from '../lib/errors.ts';
import { SIGNATURE_HEADER, verify } from './signature.ts';
import { CHECKOUT_TTL_SEC } from './state.ts';
import { PAYMENT_WEBHOOKS_QUEUE_NAME, ProviderEvent, type PaymentWebhookMessage, type ProviderStatus } from './events.ts';
import { webhookSecret, type PaymentProvider } from './provider.ts';

/** Test cards, as on a real provider's test mode. */
export const TEST_CARDS = {
  succeeds: '4242424242424242',
  declined: '4000000000000002',
  requiresConfirmation: '4000002500003155',
} as const;

type SessionStatus = 'open' | 'requires_confirmation' | 'paid' | 'declined' | 'canceled' | 'expired' | 'refunded';

const providerStatus: Record<SessionStatus, ProviderStatus | 'open'> = {
  open: 'open',
  requires_confirmation: 'pending',
  paid: 'succeeded',
  declined: 'failed',
  canceled: 'canceled',
  expired: 'canceled',
  refunded: 'refunded',
};

const eventType: Partial<Record<SessionStatus, string>> = {
  requires_confirmation: 'payment.pending',
  paid: 'payment.succeeded',
  declined: 'payment.failed',
  canceled: 'payment.canceled',
  expired: 'payment.expired',
  refunded: 'payment.refunded',
};

const randomId = (prefix: string) => `${prefix}_${crypto.randomUUID().replace(/-/g, '')}`;

export const checkoutPath = (sessionId: string) => `/api/mock-pay/checkout/${sessionId}`;

/** Queues the event for delivery; sometimes twice, each copy after its own random delay. */
async function emit(ctx: Ctx, session: MockPaySession, status: SessionStatus): Promise<void> {
  const type = eventType[status];
  if (!type) return;
  const event: ProviderEvent = {
    id: randomId('evt'),
    type,
    created: Math.floor(ctx.services.now().getTime() / 1000),
    data: {
      reference: session.reference,
      sessionId: session.id,
      status: providerStatus[status] as ProviderStatus,
      amount: session.amount,
      currency: session.currency as PaymentCurrency,
    },
  };
  const queue = ctx.config.PAYMENT_WEBHOOKS_QUEUE;
  if (!queue) {
    // Nothing delivers it: reconciliation (the cron) will ask the provider instead.
    ctx.log.warn('mock provider: no PAYMENT_WEBHOOKS_QUEUE binding; event not delivered', { eventId: event.id });
    return;
  }
  const copies = Math.random() < ctx.config.MOCK_PAY_DUPLICATE_RATE ? 2 : 1;
  const maxDelay = ctx.config.MOCK_PAY_MAX_DELAY_SEC;
  const messages = Array.from({ length: copies }, () => ({
    body: { v: 1, event } satisfies PaymentWebhookMessage,
    contentType: 'json' as const,
    delaySeconds: maxDelay ? Math.floor(Math.random() * (maxDelay + 1)) : 0,
  }));
  await queue.sendBatch(messages);
  ctx.services.metrics.queueSent(PAYMENT_WEBHOOKS_QUEUE_NAME);
}

/**
 * Moves a session from one of `from` to `to` (one conditional update) and emits its event.
 * `live`: only while the session is younger than CHECKOUT_TTL_SEC (a real provider's page stops
 * taking cards at its expires_at even before anyone expires the session).
 */
async function transition(
  ctx: Ctx,
  sessionId: string,
  from: SessionStatus[],
  to: SessionStatus,
  opts: { live?: boolean } = {},
): Promise<MockPaySession | null> {
  const live = opts.live ? sql` and ${mockPaySessions.createdAt} > now() - make_interval(secs => ${CHECKOUT_TTL_SEC})` : sql``;
  const [row] = await ctx.services.db.db
    .update(mockPaySessions)
    .set({ status: to })
    .where(sql`${mockPaySessions.id} = ${sessionId} and ${mockPaySessions.status} in ${from}${live}`)
    .returning();
  if (row) await emit(ctx, row, to);
  return row ?? null;
}

export async function getSession(ctx: Ctx, sessionId: string): Promise<MockPaySession | null> {
  if (!/^cs_mock_[0-9a-f]{32}$/.test(sessionId)) return null;
  const [row] = await ctx.services.db.db.select().from(mockPaySessions).where(eq(mockPaySessions.id, sessionId));
  return row ?? null;
}

export type CardOutcome = 'paid' | 'declined' | 'requires_confirmation' | 'unknown_card' | 'closed';

/** The hosted page's form: what the card does to the session. */
export async function payWithCard(
  ctx: Ctx,
  sessionId: string,
  cardNumber: string,
): Promise<{ outcome: CardOutcome; session: MockPaySession | null }> {
  const card = cardNumber.replace(/[\s-]/g, '');
  const to: SessionStatus | null =
    card === TEST_CARDS.succeeds
      ? 'paid'
      : card === TEST_CARDS.declined
        ? 'declined'
        : card === TEST_CARDS.requiresConfirmation
          ? 'requires_confirmation'
          : null;
  if (!to) return { outcome: 'unknown_card', session: await getSession(ctx, sessionId) };
  const session = await transition(ctx, sessionId, ['open'], to, { live: true });
  return session ? { outcome: to, session } : { outcome: 'closed', session: await getSession(ctx, sessionId) };
}

/** The "requires confirmation" step (3-D Secure in real life): approve or fail it. */
export async function confirmSession(ctx: Ctx, sessionId: string, approve: boolean) {
  return transition(ctx, sessionId, ['requires_confirmation'], approve ? 'paid' : 'declined', { live: approve });
}

export async function cancelSession(ctx: Ctx, sessionId: string) {
  return transition(ctx, sessionId, ['open', 'requires_confirmation'], 'canceled');
}

const remote = (row: MockPaySession) => ({
  sessionId: row.id,
  status: providerStatus[row.status as SessionStatus],
  amount: row.amount,
  currency: row.currency as PaymentCurrency,
});

/** The merchant-side adapter of the mock, behind the PaymentProvider interface. */
export function mockProvider(ctx: Ctx): PaymentProvider {
  return {
    name: 'mock',
    signatureHeader: SIGNATURE_HEADER,
    async createCheckoutSession(req) {
      // One session per merchant reference: a retried create returns the same session.
      const [created] = await ctx.services.db.db
        .insert(mockPaySessions)
        .values({
          id: randomId('cs_mock'),
          reference: req.paymentId,
          amount: req.amount,
          currency: req.currency,
          description: req.description,
          returnPath: req.returnPath,
        })
        .onConflictDoNothing({ target: mockPaySessions.reference })
        .returning();
      const session =
        created ?? (await ctx.services.db.db.select().from(mockPaySessions).where(eq(mockPaySessions.reference, req.paymentId)))[0];
      if (!session) throw new AppError('service_unavailable', 'The payment provider did not create a session');
      return { sessionId: session.id, url: checkoutPath(session.id) };
    },
    async parseWebhook(rawBody, signatureHeader, now) {
      await verify(webhookSecret(ctx.config), rawBody, signatureHeader, now);
      let json: unknown;
      try {
        json = JSON.parse(rawBody);
      } catch {
        throw new AppError('invalid_json', 'The webhook body is not valid JSON');
      }
      const parsed = ProviderEvent.safeParse(json);
      if (!parsed.success)
        throw new AppError('validation_failed', 'The webhook event is malformed', {
          fields: Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || '_', i.message])),
        });
      return parsed.data;
    },
    async refund({ sessionId }) {
      const refunded = await transition(ctx, sessionId, ['paid'], 'refunded');
      if (refunded) return;
      const session = await getSession(ctx, sessionId);
      if (session?.status === 'refunded') return;
      throw new AppError('conflict', 'The provider cannot refund this payment', { providerStatus: session?.status ?? 'missing' });
    },
    async retrieve({ sessionId, paymentId }) {
      const [row] = await ctx.services.db.db
        .select()
        .from(mockPaySessions)
        .where(sessionId ? eq(mockPaySessions.id, sessionId) : eq(mockPaySessions.reference, paymentId));
      return row ? remote(row) : null;
    },
    async expire({ sessionId }) {
      const expired = await transition(ctx, sessionId, ['open', 'requires_confirmation'], 'expired');
      const row = expired ?? (await getSession(ctx, sessionId));
      return row ? remote(row) : null;
    },
  };
}
