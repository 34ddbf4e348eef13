/**
 * Stripe as the real provider, over its documented HTTP API (no SDK: the Worker needs only
 * four calls and `fetch`). Requests are form-encoded (`a[b][0][c]=v`) with a Bearer secret key,
 * a pinned `Stripe-Version` and an `Idempotency-Key` derived from our payment id, so a retried
 * create or refund never makes a second session or a second refund.
 *
 * - create: POST /v1/checkout/sessions (mode=payment, one line with price_data at the server's
 *   price, client_reference_id = our payment id, expires_at = CHECKOUT_TTL_SEC + a margin so
 *   our own expiry runs first and Stripe's 30-minute minimum always holds).
 * - webhooks: `Stripe-Signature: t=…,v1=…` is HMAC-SHA256 of "t.body" with the endpoint secret
 *   (`whsec_…`, used as is) — the same scheme signature.ts verifies. checkout.session.* events
 *   are mapped to our statuses; other event types are acknowledged and ignored.
 * - refund: POST /v1/refunds for the session's payment_intent (already refunded = done).
 * - retrieve / expire: GET /v1/checkout/sessions/:id (payment_intent.latest_charge expanded, to
 *   see refunds) and POST …/:id/expire (a session that is no longer open is retrieved instead).
 *
 * Amounts: KZT, RUB and USD are two-decimal currencies at Stripe, so our minor units are its
 * `unit_amount` as they are.
 */
import { z } from 'zod';
import { PAYMENT_CURRENCIES, type PaymentCurrency } from '../../db/schema/payments.ts';
import { AppError } from '../lib/errors.ts';
import type { ProviderEvent, ProviderStatus } from './events.ts';
import type { CheckoutRequest, PaymentProvider, RemoteSession } from './provider.ts';
import { verify } from './signature.ts';
import { CHECKOUT_TTL_SEC } from './state.ts';

export const STRIPE_API = 'https://api.stripe.com';
/** Pinned so a change of the account's default version cannot change the shapes read here. */
export const STRIPE_VERSION = '2024-06-20';
export const STRIPE_SIGNATURE_HEADER = 'Stripe-Signature';
/** Our expiry (the cron) runs first; Stripe's own is the backstop (it must be ≥ 30 min away). */
const EXPIRY_MARGIN_SEC = 5 * 60;
const TIMEOUT_MS = 10_000;

export interface StripeOptions {
  secretKey: string;
  webhookSecret: string;
  /** Absolute origin of the site the hosted page returns to, e.g. https://sabaq.kz. */
  siteOrigin: string;
  now: () => Date;
  fetch?: typeof fetch;
  apiBase?: string;
}

type FormValue = string | number | boolean | null | undefined | FormValue[] | { [k: string]: FormValue };

/** Stripe's form encoding: nested objects and arrays as bracketed keys, in insertion order. */
export function formEncode(params: Record<string, FormValue>): string {
  const out = new URLSearchParams();
  const walk = (key: string, v: FormValue) => {
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) for (const [i, item] of v.entries()) walk(`${key}[${i}]`, item);
    else if (typeof v === 'object') for (const [k, inner] of Object.entries(v)) walk(`${key}[${k}]`, inner);
    else out.append(key, String(v));
  };
  for (const [k, v] of Object.entries(params)) walk(k, v);
  return out.toString();
}

// The parts of Stripe's objects this adapter reads (others are ignored).
const Charge = z.object({ id: z.string(), refunded: z.boolean(), amount_refunded: z.number().int() });
const Session = z.object({
  id: z.string(),
  object: z.literal('checkout.session'),
  url: z.string().nullable(),
  status: z.enum(['open', 'complete', 'expired']).nullable(),
  payment_status: z.enum(['paid', 'unpaid', 'no_payment_required']),
  amount_total: z.number().int().nullable(),
  currency: z.string().nullable(),
  client_reference_id: z.string().nullable(),
  payment_intent: z.union([z.string(), z.object({ id: z.string(), latest_charge: z.union([z.string(), Charge]).nullable() })]).nullable(),
});
type Session = z.infer<typeof Session>;
const StripeEvent = z.object({
  id: z.string(),
  object: z.literal('event'),
  type: z.string(),
  created: z.number().int(),
  data: z.object({ object: z.unknown() }),
});
const StripeError = z.object({ error: z.object({ type: z.string(), code: z.string().optional(), message: z.string().optional() }) });

/** checkout.session.* events we act on, and what each says about the payment. */
const EVENT_STATUS: Record<string, (s: Session) => ProviderStatus> = {
  // Card payments complete paid; delayed methods (bank transfers) complete unpaid, then send async_*.
  'checkout.session.completed': (s) => (s.payment_status === 'unpaid' ? 'pending' : 'succeeded'),
  'checkout.session.async_payment_succeeded': () => 'succeeded',
  'checkout.session.async_payment_failed': () => 'failed',
  'checkout.session.expired': () => 'canceled',
};

function currencyOf(s: Session): PaymentCurrency {
  const c = (s.currency ?? '').toUpperCase();
  if (!(PAYMENT_CURRENCIES as readonly string[]).includes(c)) {
    throw new AppError('bad_request', 'The provider answered in a currency we do not charge', { currency: s.currency });
  }
  return c as PaymentCurrency;
}

function statusOf(s: Session): ProviderStatus | 'open' {
  const charge = typeof s.payment_intent === 'object' ? s.payment_intent?.latest_charge : null;
  if (charge && typeof charge === 'object' && charge.refunded) return 'refunded';
  if (s.status === 'expired') return 'canceled';
  if (s.status === 'complete') return s.payment_status === 'unpaid' ? 'pending' : 'succeeded';
  return 'open';
}

const remote = (s: Session): RemoteSession => ({
  sessionId: s.id,
  status: statusOf(s),
  amount: s.amount_total ?? 0,
  currency: currencyOf(s),
});

const unavailable = (message: string, details: Record<string, unknown> = {}) =>
  new AppError('service_unavailable', message, { provider: 'stripe', ...details }, { 'Retry-After': '30' });

export function stripeProvider(opts: StripeOptions): PaymentProvider {
  const doFetch = opts.fetch ?? fetch;
  const base = opts.apiBase ?? STRIPE_API;

  /** One API call; Stripe's 4xx come back as { error } (the caller decides), 5xx/network as 503. */
  async function call(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, FormValue> = {},
    idempotencyKey?: string,
  ): Promise<{ ok: true; body: unknown } | { ok: false; status: number; error: z.infer<typeof StripeError>['error'] }> {
    const body = formEncode(params);
    const url = method === 'GET' && body ? `${base}${path}?${body}` : `${base}${path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${opts.secretKey}`, 'stripe-version': STRIPE_VERSION };
    if (method === 'POST') headers['content-type'] = 'application/x-www-form-urlencoded';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers,
        body: method === 'POST' ? body : undefined,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw unavailable('The payment provider did not answer', { cause: err instanceof Error ? err.name : 'unknown' });
    }
    const json: unknown = await res.json().catch(() => null);
    if (res.ok) return { ok: true, body: json };
    const parsed = StripeError.safeParse(json);
    // 429 and 5xx are Stripe's "try again"; the caller's own retry (the queue, the cron) will.
    if (res.status === 429 || res.status >= 500 || !parsed.success) {
      throw unavailable('The payment provider failed', { status: res.status });
    }
    return { ok: false, status: res.status, error: parsed.data.error };
  }

  function session(body: unknown): Session {
    const parsed = Session.safeParse(body);
    if (!parsed.success) throw unavailable('The payment provider answered an unexpected session shape');
    return parsed.data;
  }

  async function retrieveSession(sessionId: string): Promise<Session | null> {
    const r = await call('GET', `/v1/checkout/sessions/${encodeURIComponent(sessionId)}`, {
      expand: ['payment_intent.latest_charge'],
    });
    if (!r.ok) {
      if (r.status === 404) return null;
      throw unavailable('The payment provider refused to show the session', { code: r.error.code });
    }
    return session(r.body);
  }

  return {
    name: 'stripe',
    signatureHeader: STRIPE_SIGNATURE_HEADER,

    async createCheckoutSession(req: CheckoutRequest) {
      const back = (result: string, withSession: boolean) => {
        const sep = req.returnPath.includes('?') ? '&' : '?';
        // {CHECKOUT_SESSION_ID} is Stripe's template: it puts the session id there on the way back.
        return `${opts.siteOrigin}${req.returnPath}${sep}${withSession ? 'session_id={CHECKOUT_SESSION_ID}&' : ''}checkout=${result}`;
      };
      const r = await call(
        'POST',
        '/v1/checkout/sessions',
        {
          mode: 'payment',
          client_reference_id: req.paymentId,
          metadata: { payment_id: req.paymentId },
          payment_intent_data: { metadata: { payment_id: req.paymentId } },
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: req.currency.toLowerCase(),
                unit_amount: req.amount,
                product_data: { name: req.description },
              },
            },
          ],
          success_url: back('paid', true),
          cancel_url: back('canceled', false),
          expires_at: Math.floor(opts.now().getTime() / 1000) + CHECKOUT_TTL_SEC + EXPIRY_MARGIN_SEC,
        },
        `checkout:${req.paymentId}`,
      );
      if (!r.ok) throw unavailable('The payment provider refused the checkout', { code: r.error.code, type: r.error.type });
      const s = session(r.body);
      if (!s.url) throw unavailable('The payment provider returned no checkout page');
      return { sessionId: s.id, url: s.url };
    },

    async parseWebhook(rawBody, signatureHeader, now): Promise<ProviderEvent | null> {
      await verify(opts.webhookSecret, rawBody, signatureHeader, now);
      let json: unknown;
      try {
        json = JSON.parse(rawBody);
      } catch {
        throw new AppError('invalid_json', 'The webhook body is not valid JSON');
      }
      const event = StripeEvent.safeParse(json);
      if (!event.success)
        throw new AppError('validation_failed', 'The webhook event is malformed', { fields: { _: 'not a Stripe event' } });
      const toStatus = EVENT_STATUS[event.data.type];
      if (!toStatus) return null;
      const parsed = Session.safeParse(event.data.data.object);
      if (!parsed.success || !parsed.data.client_reference_id || parsed.data.amount_total === null) {
        throw new AppError('validation_failed', 'The webhook event is malformed', { fields: { 'data.object': 'not one of our sessions' } });
      }
      const s = parsed.data;
      return {
        id: event.data.id,
        type: event.data.type,
        created: event.data.created,
        data: {
          reference: s.client_reference_id!,
          sessionId: s.id,
          status: toStatus(s),
          amount: s.amount_total!,
          currency: currencyOf(s),
        },
      };
    },

    async refund({ sessionId, paymentId }) {
      const s = await retrieveSession(sessionId);
      const intent = s && (typeof s.payment_intent === 'string' ? s.payment_intent : s.payment_intent?.id);
      if (!s || !intent) throw new AppError('conflict', 'The provider has no charge to refund', { providerStatus: s?.status ?? 'missing' });
      if (statusOf(s) === 'refunded') return;
      const r = await call('POST', '/v1/refunds', { payment_intent: intent, metadata: { payment_id: paymentId } }, `refund:${paymentId}`);
      if (r.ok || r.error.code === 'charge_already_refunded') return;
      throw new AppError('conflict', 'The provider cannot refund this payment', { code: r.error.code });
    },

    async retrieve({ sessionId }) {
      // Without a session id Stripe cannot be asked by our reference: reconciliation abandons it later.
      if (!sessionId) return null;
      const s = await retrieveSession(sessionId);
      return s && remote(s);
    },

    async expire({ sessionId }) {
      const r = await call('POST', `/v1/checkout/sessions/${encodeURIComponent(sessionId)}/expire`, {}, `expire:${sessionId}`);
      if (r.ok) return remote(session(r.body));
      if (r.status === 404) return null;
      // Not open any more (paid or already expired): what it is now decides.
      const s = await retrieveSession(sessionId);
      return s && remote(s);
    },
  };
}
