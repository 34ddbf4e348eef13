/**
 * The mock provider's hosted checkout pages (what Stripe Checkout or Kaspi's page is for a
 * real provider): a card form, a "requires confirmation" step, and the redirect back to the
 * site with the session id. Served by this Worker only outside production (404 there).
 */
import { createMiddleware } from 'hono/factory';
import { createRouter, ctxOf, type AppEnv } from '../app.ts';
import { AppError } from '../lib/errors.ts';
import { TEST_CARDS, cancelSession, confirmSession, getSession, payWithCard, type CardOutcome } from './mock-provider.ts';
import type { MockPaySession } from '../../db/schema/payments.ts';

const enabled = createMiddleware<AppEnv>(async (c, next) => {
  if (c.var.config.APP_ENV === 'production' || c.var.config.PAYMENTS_PROVIDER !== 'mock')
    throw new AppError('not_found', `No route for ${c.req.method} ${c.req.path}`);
  await next();
});

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const money = (s: MockPaySession) => `${(s.amount / 100).toFixed(2)} ${esc(s.currency)}`;

function page(title: string, body: string, status = 200) {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} — Mock Pay</title></head><body><main><h1>Mock Pay</h1>${body}</main></body></html>`;
  return new Response(html, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}

/** Back to the merchant's site: its return path plus the session id and how it ended. */
function back(s: MockPaySession, result: string) {
  const sep = s.returnPath.includes('?') ? '&' : '?';
  return new Response(null, {
    status: 303,
    headers: { location: `${s.returnPath}${sep}session_id=${encodeURIComponent(s.id)}&checkout=${result}` },
  });
}

function cardForm(s: MockPaySession, error?: string) {
  return page(
    'Pay',
    `<p>${esc(s.description)}</p><p><strong data-testid="amount">${money(s)}</strong></p>
${error ? `<p role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/api/mock-pay/checkout/${esc(s.id)}">
<label>Card number <input name="card" inputmode="numeric" autocomplete="cc-number" required></label>
<label>Expiry <input name="exp" value="12/34"></label> <label>CVC <input name="cvc" value="123"></label>
<button type="submit">Pay ${money(s)}</button></form>
<form method="post" action="/api/mock-pay/checkout/${esc(s.id)}/cancel"><button type="submit">Cancel and return</button></form>
<p>Test cards: ${TEST_CARDS.succeeds} succeeds, ${TEST_CARDS.declined} is declined, ${TEST_CARDS.requiresConfirmation} requires confirmation.</p>`,
    error ? 400 : 200,
  );
}

const confirmPage = (s: MockPaySession) =>
  page(
    'Confirm',
    `<p>Your bank asks you to confirm ${money(s)}.</p>
<form method="post" action="/api/mock-pay/checkout/${esc(s.id)}/confirm"><input type="hidden" name="approve" value="yes"><button type="submit">Confirm payment</button></form>
<form method="post" action="/api/mock-pay/checkout/${esc(s.id)}/confirm"><input type="hidden" name="approve" value="no"><button type="submit">Fail confirmation</button></form>`,
  );

const missing = () => page('Not found', '<p>This checkout session does not exist.</p>', 404);

/** Where a finished session sends the buyer. */
const RESULT: Record<string, string> = { paid: 'success', declined: 'declined', canceled: 'canceled', refunded: 'success' };

async function formField(req: Request, name: string): Promise<string> {
  const form = await req.formData().catch(() => null);
  const v = form?.get(name);
  return typeof v === 'string' ? v.slice(0, 64) : '';
}

export const mockPayRoutes = createRouter();
mockPayRoutes
  .use('/mock-pay/*', enabled)
  .get('/mock-pay/checkout/:id', async (c) => {
    const s = await getSession(ctxOf(c), c.req.param('id'));
    if (!s) return missing();
    if (s.status === 'open') return cardForm(s);
    if (s.status === 'requires_confirmation') return confirmPage(s);
    return back(s, RESULT[s.status] ?? 'canceled');
  })
  .post('/mock-pay/checkout/:id', async (c) => {
    const { outcome, session } = await payWithCard(ctxOf(c), c.req.param('id'), await formField(c.req.raw, 'card'));
    if (!session) return missing();
    const handlers: Record<CardOutcome, () => Response> = {
      unknown_card: () => cardForm(session, 'This card is not accepted in test mode: use one of the test cards below.'),
      requires_confirmation: () => confirmPage(session),
      paid: () => back(session, 'success'),
      declined: () => back(session, 'declined'),
      closed: () =>
        session.status === 'requires_confirmation' ? confirmPage(session) : back(session, RESULT[session.status] ?? 'canceled'),
    };
    return handlers[outcome]();
  })
  .post('/mock-pay/checkout/:id/confirm', async (c) => {
    const ctx = ctxOf(c);
    const id = c.req.param('id');
    await confirmSession(ctx, id, (await formField(c.req.raw, 'approve')) === 'yes');
    const s = await getSession(ctx, id);
    return s ? back(s, RESULT[s.status] ?? 'canceled') : missing();
  })
  .post('/mock-pay/checkout/:id/cancel', async (c) => {
    const ctx = ctxOf(c);
    const id = c.req.param('id');
    await cancelSession(ctx, id);
    const s = await getSession(ctx, id);
    return s ? back(s, RESULT[s.status] ?? 'canceled') : missing();
  });
