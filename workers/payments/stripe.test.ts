/**
 * The Stripe adapter without the network: its requests are captured by a fake fetch that
 * answers with recorded Stripe objects (stripe.fixtures.ts), and the webhook check runs
 * against a header signed outside this code base.
 */
import { describe, expect, it } from 'vitest';
import type { AppError } from '../lib/errors.ts';
import { testCtx } from '../../tests/support/ctx.ts';
import { providerFor } from './provider.ts';
import { sign } from './signature.ts';
import { CHECKOUT_TTL_SEC } from './state.ts';
import { STRIPE_VERSION, formEncode, stripeProvider } from './stripe.ts';
import * as fx from './stripe.fixtures.ts';

interface Captured {
  method: string;
  url: URL;
  headers: Headers;
  form: URLSearchParams;
}

/** A fake fetch answering each call with the next recorded [status, body]. */
function recorded(...answers: [number, unknown][]) {
  const calls: Captured[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    calls.push({
      method: init?.method ?? 'GET',
      url,
      headers: new Headers(init?.headers),
      form: new URLSearchParams(typeof init?.body === 'string' ? init.body : url.search),
    });
    const next = answers.shift();
    if (!next) throw new Error(`unexpected call ${init?.method} ${url}`);
    return new Response(JSON.stringify(next[1]), { status: next[0], headers: { 'content-type': 'application/json' } });
  }) as typeof globalThis.fetch;
  return { calls, fetch };
}

const NOW = new Date(fx.SIGNED_AT * 1000);
const adapter = (fetch: typeof globalThis.fetch = recorded().fetch) =>
  stripeProvider({ secretKey: 'sk_test_51Abc', webhookSecret: fx.SECRET, siteOrigin: 'https://sabaq.kz', now: () => NOW, fetch });

async function refusal(p: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> | undefined }> {
  const err = (await p.then(
    () => null,
    (e: unknown) => e,
  )) as AppError | null;
  if (!err) throw new Error('expected a refusal');
  return { code: err.code, details: err.details as Record<string, unknown> | undefined };
}

describe('Stripe webhooks — signature (Stripe-Signature: t=…,v1=…)', () => {
  it('accepts the recorded, independently signed checkout.session.completed and maps it to our event', async () => {
    const event = await adapter().parseWebhook(fx.COMPLETED_EVENT_BODY, fx.COMPLETED_EVENT_HEADER, NOW);
    expect(event).toEqual({
      id: 'evt_1QdXyZ2eZvKYlo2CtVxR7sJm',
      type: 'checkout.session.completed',
      created: fx.SIGNED_AT - 1,
      data: { reference: fx.PAYMENT_ID, sessionId: fx.SESSION_PAID.id, status: 'succeeded', amount: 450000, currency: 'KZT' },
    });
  });

  it.each([
    ['one changed byte in the body', fx.COMPLETED_EVENT_BODY.replace('450000', '450001'), fx.COMPLETED_EVENT_HEADER, NOW, 'mismatch'],
    ['a forged v1', fx.COMPLETED_EVENT_BODY, fx.COMPLETED_EVENT_HEADER.replace(/v1=[0-9a-f]{4}/, 'v1=0000'), NOW, 'mismatch'],
    ['a replay 5 min 1 s later', fx.COMPLETED_EVENT_BODY, fx.COMPLETED_EVENT_HEADER, new Date((fx.SIGNED_AT + 301) * 1000), 'stale'],
    ['no header', fx.COMPLETED_EVENT_BODY, undefined, NOW, 'missing'],
    ['only the legacy v0 scheme', fx.COMPLETED_EVENT_BODY, `t=${fx.SIGNED_AT},v0=${'ab'.repeat(32)}`, NOW, 'malformed'],
  ])('refuses %s (400 invalid_signature)', async (_name, body, header, now, reason) => {
    const r = await refusal(adapter().parseWebhook(body, header, now));
    expect(r).toEqual({ code: 'invalid_signature', details: { reason } });
  });

  it('acknowledges a genuine event of a type it does not act on (null), and refuses a session that is not ours', async () => {
    const other = JSON.stringify({
      id: 'evt_other',
      object: 'event',
      type: 'customer.created',
      created: fx.SIGNED_AT,
      data: { object: {} },
    });
    expect(await adapter().parseWebhook(other, await sign(fx.SECRET, other, fx.SIGNED_AT), NOW)).toBeNull();
    const foreign = JSON.stringify({
      id: 'evt_foreign',
      object: 'event',
      type: 'checkout.session.completed',
      created: fx.SIGNED_AT,
      data: { object: { ...fx.SESSION_PAID, client_reference_id: null } },
    });
    const r = await refusal(adapter().parseWebhook(foreign, await sign(fx.SECRET, foreign, fx.SIGNED_AT), NOW));
    expect(r.code).toBe('validation_failed');
  });

  it.each([
    ['checkout.session.completed', { payment_status: 'unpaid' }, 'pending'],
    ['checkout.session.async_payment_succeeded', {}, 'succeeded'],
    ['checkout.session.async_payment_failed', { payment_status: 'unpaid' }, 'failed'],
    ['checkout.session.expired', { status: 'expired', payment_status: 'unpaid' }, 'canceled'],
  ])('%s %j → %s', async (type, over, status) => {
    const body = JSON.stringify({
      id: 'evt_x',
      object: 'event',
      type,
      created: fx.SIGNED_AT,
      data: { object: { ...fx.SESSION_PAID, ...over } },
    });
    const event = await adapter().parseWebhook(body, await sign(fx.SECRET, body, fx.SIGNED_AT), NOW);
    expect(event?.data.status).toBe(status);
  });
});

describe('Stripe API — request shaping', () => {
  it('form-encodes nested objects and arrays as Stripe expects', () => {
    expect(decodeURIComponent(formEncode({ a: 1, b: { c: 'x y', d: [{ e: true }] }, skip: undefined }))).toBe(
      'a=1&b[c]=x+y&b[d][0][e]=true',
    );
  });

  it('creates a Checkout Session at the server price, with our reference, expiry and an idempotency key', async () => {
    const { calls, fetch } = recorded([200, fx.SESSION_OPEN]);
    const session = await adapter(fetch).createCheckoutSession({
      paymentId: fx.PAYMENT_ID,
      amount: 450000,
      currency: 'KZT',
      description: 'Алгебра & геометрия',
      returnPath: '/ru/courses/3f1c9a7e-2b4d-4c8e-9f0a-1b2c3d4e5f60',
    });
    expect(session).toEqual({ sessionId: fx.SESSION_OPEN.id, url: fx.SESSION_OPEN.url });
    expect(calls).toHaveLength(1);
    const [c] = calls;
    expect(c!.method).toBe('POST');
    expect(c!.url.href).toBe('https://api.stripe.com/v1/checkout/sessions');
    expect(c!.headers.get('authorization')).toBe('Bearer sk_test_51Abc');
    expect(c!.headers.get('stripe-version')).toBe(STRIPE_VERSION);
    expect(c!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(c!.headers.get('idempotency-key')).toBe(`checkout:${fx.PAYMENT_ID}`);
    expect(Object.fromEntries(c!.form)).toEqual({
      mode: 'payment',
      client_reference_id: fx.PAYMENT_ID,
      'metadata[payment_id]': fx.PAYMENT_ID,
      'payment_intent_data[metadata][payment_id]': fx.PAYMENT_ID,
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'kzt',
      'line_items[0][price_data][unit_amount]': '450000',
      'line_items[0][price_data][product_data][name]': 'Алгебра & геометрия',
      success_url: 'https://sabaq.kz/ru/courses/3f1c9a7e-2b4d-4c8e-9f0a-1b2c3d4e5f60?session_id={CHECKOUT_SESSION_ID}&checkout=paid',
      cancel_url: 'https://sabaq.kz/ru/courses/3f1c9a7e-2b4d-4c8e-9f0a-1b2c3d4e5f60?checkout=canceled',
      expires_at: String(fx.SIGNED_AT + CHECKOUT_TTL_SEC + 300),
    });
    // Stripe refuses an expires_at less than 30 minutes away.
    expect(Number(c!.form.get('expires_at')) - fx.SIGNED_AT).toBeGreaterThanOrEqual(30 * 60);
  });

  it('a Stripe 5xx or 429 is 503 (retry later), a refused request says why', async () => {
    const req = { paymentId: fx.PAYMENT_ID, amount: 1, currency: 'USD' as const, description: 'x', returnPath: '/en/courses/x' };
    expect((await refusal(adapter(recorded([500, { error: { type: 'api_error' } }]).fetch).createCheckoutSession(req))).code).toBe(
      'service_unavailable',
    );
    expect((await refusal(adapter(recorded([429, { error: { type: 'rate_limit_error' } }]).fetch).createCheckoutSession(req))).code).toBe(
      'service_unavailable',
    );
    const bad = await refusal(
      adapter(recorded([400, { error: { type: 'invalid_request_error', code: 'amount_too_small' } }]).fetch).createCheckoutSession(req),
    );
    expect(bad).toMatchObject({ code: 'service_unavailable', details: { code: 'amount_too_small' } });
  });

  it('retrieves a session with its charge expanded and maps it to our status', async () => {
    for (const [session, status] of [
      [fx.SESSION_OPEN, 'open'],
      [fx.SESSION_PAID, 'succeeded'],
      [fx.SESSION_REFUNDED, 'refunded'],
      [fx.SESSION_EXPIRED, 'canceled'],
    ] as const) {
      const { calls, fetch } = recorded([200, session]);
      const r = await adapter(fetch).retrieve({ sessionId: session.id, paymentId: fx.PAYMENT_ID });
      expect(r).toEqual({ sessionId: session.id, status, amount: 450000, currency: 'KZT' });
      expect(calls[0]!.method).toBe('GET');
      expect(calls[0]!.url.pathname).toBe(`/v1/checkout/sessions/${session.id}`);
      expect(calls[0]!.url.searchParams.get('expand[0]')).toBe('payment_intent.latest_charge');
    }
    const missing = recorded([404, { error: { type: 'invalid_request_error', code: 'resource_missing' } }]);
    expect(await adapter(missing.fetch).retrieve({ sessionId: 'cs_test_gone', paymentId: fx.PAYMENT_ID })).toBeNull();
    // Without a session id Stripe cannot be asked: no call at all.
    expect(await adapter().retrieve({ sessionId: null, paymentId: fx.PAYMENT_ID })).toBeNull();
  });

  it('refunds the session’s payment intent once (an already refunded charge is done, a refunded session is not asked again)', async () => {
    const { calls, fetch } = recorded([200, fx.SESSION_PAID], [200, fx.REFUND]);
    await adapter(fetch).refund({ sessionId: fx.SESSION_PAID.id, paymentId: fx.PAYMENT_ID });
    expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      `GET /v1/checkout/sessions/${fx.SESSION_PAID.id}`,
      'POST /v1/refunds',
    ]);
    expect(Object.fromEntries(calls[1]!.form)).toEqual({
      payment_intent: fx.SESSION_PAID.payment_intent,
      'metadata[payment_id]': fx.PAYMENT_ID,
    });
    expect(calls[1]!.headers.get('idempotency-key')).toBe(`refund:${fx.PAYMENT_ID}`);

    const again = recorded([200, fx.SESSION_PAID], [400, fx.ERROR_ALREADY_REFUNDED]);
    await adapter(again.fetch).refund({ sessionId: fx.SESSION_PAID.id, paymentId: fx.PAYMENT_ID });
    const done = recorded([200, fx.SESSION_REFUNDED]);
    await adapter(done.fetch).refund({ sessionId: fx.SESSION_REFUNDED.id, paymentId: fx.PAYMENT_ID });
    expect(done.calls).toHaveLength(1);
    const unpaid = recorded([200, fx.SESSION_OPEN]);
    expect((await refusal(adapter(unpaid.fetch).refund({ sessionId: fx.SESSION_OPEN.id, paymentId: fx.PAYMENT_ID }))).code).toBe(
      'conflict',
    );
  });

  it('expires an open session; one paid in the meantime is reported as paid', async () => {
    const { calls, fetch } = recorded([200, fx.SESSION_EXPIRED]);
    expect(await adapter(fetch).expire({ sessionId: fx.SESSION_OPEN.id, paymentId: fx.PAYMENT_ID })).toMatchObject({ status: 'canceled' });
    expect(`${calls[0]!.method} ${calls[0]!.url.pathname}`).toBe(`POST /v1/checkout/sessions/${fx.SESSION_OPEN.id}/expire`);
    const late = recorded([400, fx.ERROR_NOT_OPEN], [200, fx.SESSION_PAID]);
    expect(await adapter(late.fetch).expire({ sessionId: fx.SESSION_PAID.id, paymentId: fx.PAYMENT_ID })).toMatchObject({
      status: 'succeeded',
    });
  });
});

describe('Stripe — selection by configuration', () => {
  it('PAYMENTS_PROVIDER=stripe without its settings answers 503 naming what is missing; with them it is the adapter', () => {
    const ctx = testCtx();
    const stripe = { ...ctx, config: { ...ctx.config, PAYMENTS_PROVIDER: 'stripe' as const, PAYMENTS_WEBHOOK_SECRET: undefined } };
    let err: AppError | undefined;
    try {
      providerFor(stripe);
    } catch (e) {
      err = e as AppError;
    }
    expect(err?.code).toBe('service_unavailable');
    expect((err?.details as { missing: string[] } | undefined)?.missing).toEqual([
      'STRIPE_SECRET_KEY',
      'PAYMENTS_WEBHOOK_SECRET',
      'SITE_URL',
    ]);
    const configured = {
      ...stripe,
      config: { ...stripe.config, STRIPE_SECRET_KEY: 'sk_test_51Abc', PAYMENTS_WEBHOOK_SECRET: fx.SECRET, SITE_URL: 'https://sabaq.kz' },
    };
    const p = providerFor(configured);
    expect([p.name, p.signatureHeader]).toEqual(['stripe', 'Stripe-Signature']);
  });
});
