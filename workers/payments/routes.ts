import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, ctxOf } from '../app.ts';
import { authenticate } from '../identity/auth.ts';
import { IdParam, PageQuery, errorResponses, json, jsonBody, pageOf } from '../lib/openapi.ts';
import { CheckoutInput, checkout } from './checkout.ts';
import { cancelMyCheckout } from './expiry.ts';
import { checkKey } from './idempotency.ts';
import { providerFor } from './provider.ts';
import { adminListPayments, getMyPayment, listMyPayments } from './reads.ts';
import { refundPayment } from './refunds.ts';
import {
  PaymentSchema as Payment,
  PaymentStatusSchema as Status,
  PaymentTotalsSchema,
  RefundResultSchema,
  WebhookResultSchema,
} from './schemas.ts';
import { settle } from './settle.ts';
import { SIGNATURE_HEADER } from './signature.ts';
import { STRIPE_SIGNATURE_HEADER } from './stripe.ts';

const user = authenticate();
const admin = authenticate(['admin']);
const NO_STORE = { 'Cache-Control': 'private, no-store' };
const IsoDate = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date');

const r = {
  checkout: createRoute({
    method: 'post',
    path: '/checkout',
    tags: ['payments'],
    summary: 'Start paying for a purchase (a course) at the server price: a hosted checkout session. Requires Idempotency-Key.',
    middleware: [user] as const,
    request: { headers: z.object({ 'idempotency-key': z.string().optional() }), body: jsonBody(CheckoutInput) },
    responses: {
      201: json(Payment, 'Checkout created'),
      200: json(Payment, 'An open checkout for the same purchase resumed'),
      ...errorResponses(400, 401, 404, 409, 422, 429, 503),
    },
  }),
  webhook: createRoute({
    method: 'post',
    // Provider callbacks live apart from the payer's resources (and a static segment beside
    // POST /payments/{id}/cancel would keep Hono's RegExpRouter from compiling the route set).
    path: '/webhooks/payments',
    tags: ['payments'],
    summary: `Provider events, signed (${SIGNATURE_HEADER} for the mock, ${STRIPE_SIGNATURE_HEADER} for Stripe: t=…,v1=…, HMAC-SHA256 of "t.body", 5-minute tolerance); each event id once`,
    responses: { 200: json(WebhookResultSchema), ...errorResponses(400, 404) },
  }),
  mine: createRoute({
    method: 'get',
    path: '/payments',
    tags: ['payments'],
    summary: 'My payments, newest first (sessionId: the one a hosted checkout returned from)',
    middleware: [user] as const,
    request: {
      query: PageQuery.extend({
        sessionId: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,128}$/)
          .optional(),
      }),
    },
    responses: { 200: json(pageOf(Payment)), ...errorResponses(400, 401) },
  }),
  cancel: createRoute({
    method: 'post',
    path: '/payments/{id}/cancel',
    tags: ['payments'],
    summary: 'Cancel my open checkout (its session is closed at the provider; a payment that got through first is kept)',
    middleware: [user] as const,
    request: { params: IdParam },
    responses: { 200: json(Payment), ...errorResponses(401, 404, 409, 503) },
  }),
  receipt: createRoute({
    method: 'get',
    path: '/payments/{id}',
    tags: ['payments'],
    summary: 'One of my payments (a receipt)',
    middleware: [user] as const,
    request: { params: IdParam },
    responses: { 200: json(Payment), ...errorResponses(401, 404) },
  }),
  adminList: createRoute({
    method: 'get',
    path: '/admin/payments',
    tags: ['payments'],
    summary: 'All payments with filters, and totals per currency over the filtered set',
    middleware: [admin] as const,
    request: { query: PageQuery.extend({ status: Status.optional(), from: IsoDate.optional(), to: IsoDate.optional() }) },
    responses: { 200: json(pageOf(Payment).extend({ totals: PaymentTotalsSchema })), ...errorResponses(400, 401, 403) },
  }),
  refund: createRoute({
    method: 'post',
    path: '/admin/payments/{id}/refund',
    tags: ['payments'],
    summary: 'Full refund; access is revoked in the same transaction (idempotent)',
    middleware: [admin] as const,
    request: { params: IdParam },
    responses: { 200: json(RefundResultSchema), ...errorResponses(401, 403, 404, 409, 503) },
  }),
};

export const paymentsRoutes = createRouter()
  .openapi(r.checkout, async (c) => {
    const key = checkKey(c.req.valid('header')['idempotency-key']);
    const res = await checkout(ctxOf(c), c.var.actor, c.req.valid('json'), key);
    return c.json(res.body, res.status as 201, { ...NO_STORE, ...(res.replayed ? { 'Idempotent-Replayed': 'true' } : {}) });
  })
  .openapi(r.webhook, async (c) => {
    const ctx = ctxOf(c);
    const provider = providerFor(ctx);
    // The signature covers the exact bytes: read the raw body, never a re-serialized one.
    const event = await provider.parseWebhook(await c.req.text(), c.req.header(provider.signatureHeader), ctx.services.now());
    if (!event) return c.json({ received: true as const, outcome: 'ignored' as const, status: null }, 200);
    const d = event.data;
    const result = await settle(ctx, {
      provider: provider.name,
      eventId: event.id,
      type: event.type,
      paymentId: d.reference,
      sessionId: d.sessionId,
      status: d.status,
      amount: d.amount,
      currency: d.currency,
      payload: event,
      // payment.expired (mock), checkout.session.expired (Stripe): the session's life ran out.
      reason: event.type.endsWith('.expired') ? 'expired' : undefined,
    });
    return c.json({ received: true as const, ...result }, 200);
  })
  .openapi(r.mine, async (c) => c.json(await listMyPayments(ctxOf(c), c.var.actor, c.req.valid('query')), 200, NO_STORE))
  .openapi(r.cancel, async (c) => c.json(await cancelMyCheckout(ctxOf(c), c.var.actor, c.req.valid('param').id), 200, NO_STORE))
  .openapi(r.receipt, async (c) => c.json(await getMyPayment(ctxOf(c), c.var.actor, c.req.valid('param').id), 200, NO_STORE))
  .openapi(r.adminList, async (c) => c.json(await adminListPayments(ctxOf(c), c.req.valid('query')), 200, NO_STORE))
  .openapi(r.refund, async (c) => c.json(await refundPayment(ctxOf(c), c.var.actor, c.req.valid('param').id), 200, NO_STORE));
