import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  courses,
  enrollments,
  idempotencyKeys,
  mockPaySessions,
  notifications,
  paymentEvents,
  payments,
  users,
} from '../../db/schema/index.ts';
import { createCourse } from '../../tests/support/catalog.ts';
import { testCtx } from '../../tests/support/ctx.ts';
import { api, show, type ApiResponse } from '../../tests/support/http.ts';
import { enroll, sleep } from '../../tests/support/learning.ts';
import { createAdmin, registerUser, testDb, vars, verifiedTeacher, type TestUser } from '../../tests/support/users.ts';
import { createApp } from '../app.ts';
import { loadConfig, type Env } from '../env.ts';
import { mockPayRoutes } from './mock-pay-routes.ts';
import { paymentsRoutes } from './routes.ts';
import { attachSession, checkout as checkoutOp } from './checkout.ts';
import { settle } from './settle.ts';
import { TEST_CARDS, payWithCard } from './mock-provider.ts';
import { webhookSecret, type ProviderEvent, type ProviderStatus } from './provider.ts';
import { reconcilePayments } from './reconcile.ts';
import { SIGNATURE_HEADER, sign } from './signature.ts';
import { CHECKOUT_TTL_SEC } from './state.ts';

const db = () => testDb().db;
const PRICE = { amount: 450000, currency: 'KZT' };
const secret = () => webhookSecret(loadConfig(vars as unknown as Env));

let keySeq = 0;
const newKey = () => `test-key-${Date.now().toString(36)}-${(keySeq++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

async function paidCourse(spec: { price?: { amount: number; currency: string } | null; publish?: boolean } = {}) {
  const teacher = await verifiedTeacher();
  return createCourse(teacher, { price: spec.price === undefined ? PRICE : spec.price, publish: spec.publish, lessonsPerModule: 1 });
}

const checkout = (u: TestUser, body: unknown, key: string | null = newKey()) =>
  api('POST', '/api/checkout', { token: u.token, body, headers: key === null ? {} : { 'idempotency-key': key } });
const buy = (u: TestUser, courseId: string, key?: string) => checkout(u, { purchase: { kind: 'course', id: courseId } }, key);

async function expectOk(res: Promise<ApiResponse> | ApiResponse, status = 201) {
  const r = await res;
  expect(r.status, show(r)).toBe(status);
  return r.body;
}

function event(
  p: { id: string; sessionId: string | null },
  status: ProviderStatus,
  over: Partial<ProviderEvent['data']> = {},
  eventId?: string,
): ProviderEvent {
  return {
    id: eventId ?? `evt_test_${crypto.randomUUID().replace(/-/g, '')}`,
    type: `payment.${status}`,
    created: Math.floor(Date.now() / 1000),
    data: { reference: p.id, sessionId: p.sessionId ?? 'cs_unknown', status, amount: PRICE.amount, currency: 'KZT', ...over },
  };
}

/** Delivers an event to the webhook endpoint as the provider would (signed now, unless told otherwise). */
async function deliver(e: ProviderEvent | string, opts: { secret?: string; at?: number; header?: string } = {}) {
  const body = typeof e === 'string' ? e : JSON.stringify(e);
  const header = opts.header ?? (await sign(opts.secret ?? secret(), body, opts.at ?? Math.floor(Date.now() / 1000)));
  return api('POST', '/api/webhooks/payments', {
    rawBody: body,
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: header },
  });
}

async function paymentRow(id: string) {
  const [row] = await db().select().from(payments).where(eq(payments.id, id));
  return row!;
}
const enrollmentsOf = (userId: string, courseId: string) =>
  db()
    .select()
    .from(enrollments)
    .where(and(eq(enrollments.userId, userId), eq(enrollments.courseId, courseId)));
const notesOf = async (userId: string, kind: string) =>
  (await db().select().from(notifications).where(eq(notifications.userId, userId))).filter((n) => n.kind === kind);
const eventsOf = (paymentId: string) => db().select().from(paymentEvents).where(eq(paymentEvents.paymentId, paymentId));
const paymentsOf = (userId: string) => db().select().from(payments).where(eq(payments.userId, userId));
async function enrollmentCount(courseId: string) {
  const [c] = await db().select({ n: courses.enrollmentCount }).from(courses).where(eq(courses.id, courseId));
  return c!.n;
}

function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('checkout — happy', () => {
  it('creates a pending payment at the server price with a hosted checkout page', async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const res = await buy(learner, course.id);
    const body = await expectOk(res);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(body).toMatchObject({
      status: 'pending',
      amount: PRICE.amount,
      currency: 'KZT',
      purchase: { kind: 'course', id: course.id },
      provider: 'mock',
    });
    expect(body.checkoutUrl).toMatch(/^\/api\/mock-pay\/checkout\/cs_mock_/);
    const page = await api('GET', body.checkoutUrl);
    expect(page.status, show(page)).toBe(200);
    expect(page.text).toContain('4500.00 KZT');
    // The client cannot name a price: an unknown field is refused.
    const priced = await checkout(learner, { purchase: { kind: 'course', id: course.id }, amount: 1 });
    expect(priced.status, show(priced)).toBe(400);
  });

  it('pays with the test card through the hosted page; the queued, signed webhooks enroll the buyer once', async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const p = await expectOk(buy(learner, course.id));
    const paid = await api('POST', p.checkoutUrl, {
      rawBody: new URLSearchParams({ card: '4242 4242 4242 4242' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(paid.status, show(paid)).toBe(303);
    expect(paid.headers.get('location')).toBe(`/ru/courses/${course.id}?session_id=${p.sessionId}&checkout=success`);
    await waitFor('the webhook', async () => (await paymentRow(p.id)).status === 'succeeded');
    expect(await enrollmentsOf(learner.id, course.id)).toHaveLength(1);
    expect(await enrollmentCount(course.id)).toBe(1);
    const receipt = await expectOk(api('GET', `/api/payments/${p.id}`, { token: learner.token }), 200);
    expect(receipt).toMatchObject({ status: 'succeeded', checkoutUrl: null });
    const bySession = await expectOk(api('GET', `/api/payments?sessionId=${p.sessionId}`, { token: learner.token }), 200);
    expect(bySession.items.map((i: { id: string }) => i.id)).toEqual([p.id]);
    await sleep(3_000); // the mock's duplicates and delays (up to 2 s) have all landed
    expect(await enrollmentsOf(learner.id, course.id)).toHaveLength(1);
    expect(await notesOf(learner.id, 'payment')).toHaveLength(1);
    // Paid: the course is open now, and buying again is refused.
    expect((await api('GET', `/api/lessons/${course.lessonIds[0]}`, { token: learner.token })).status).toBe(200);
    expect((await buy(learner, course.id)).body.error.code).toBe('conflict');
  });

  it('a declined card fails the payment and enrolls nobody; "requires confirmation" pays after the confirm step', async () => {
    const course = await paidCourse();
    const declined = await registerUser();
    const p1 = await expectOk(buy(declined, course.id));
    const r1 = await api('POST', p1.checkoutUrl, {
      rawBody: new URLSearchParams({ card: TEST_CARDS.declined }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r1.headers.get('location')).toContain('checkout=declined');
    await waitFor('the failed webhook', async () => (await paymentRow(p1.id)).status === 'failed');
    expect(await enrollmentsOf(declined.id, course.id)).toHaveLength(0);
    expect((await notesOf(declined.id, 'payment'))[0]?.data).toMatchObject({ status: 'failed' });

    const confirmer = await registerUser();
    const p2 = await expectOk(buy(confirmer, course.id));
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const r2 = await api('POST', p2.checkoutUrl, {
      rawBody: new URLSearchParams({ card: TEST_CARDS.requiresConfirmation }),
      headers: form,
    });
    expect(r2.status, show(r2)).toBe(200);
    expect(r2.text).toContain('Confirm payment');
    const r3 = await api('POST', `${p2.checkoutUrl}/confirm`, { rawBody: new URLSearchParams({ approve: 'yes' }), headers: form });
    expect(r3.headers.get('location')).toContain('checkout=success');
    await waitFor('the succeeded webhook', async () => (await enrollmentsOf(confirmer.id, course.id)).length === 1);
  });

  it('10 duplicated and shuffled deliveries of one payment → one enrollment, one notification', async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const p = await expectOk(buy(learner, course.id));
    const pending = event(p, 'pending');
    const succeeded = event(p, 'succeeded');
    const deliveries = shuffle([...Array(5).fill(pending), ...Array(5).fill(succeeded)] as ProviderEvent[]);
    const results = await Promise.all(deliveries.map((e) => deliver(e)));
    for (const r of results) expect(r.status, show(r)).toBe(200);
    expect(results.filter((r) => r.body.outcome === 'duplicate')).toHaveLength(8);
    expect((await paymentRow(p.id)).status).toBe('succeeded');
    expect(await enrollmentsOf(learner.id, course.id)).toHaveLength(1);
    expect(await enrollmentCount(course.id)).toBe(1);
    expect(await notesOf(learner.id, 'payment')).toHaveLength(1);
    expect(await notesOf(learner.id, 'enrollment')).toHaveLength(1);
    expect(await eventsOf(p.id)).toHaveLength(2);
    // A late pending after succeeded never moves it back.
    const late = await deliver(event(p, 'pending'));
    expect(late.body).toMatchObject({ outcome: 'ignored', status: 'succeeded' });
  });

  it('a webhook arriving before the checkout transaction commits is refused retryably, then applied on redelivery', async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const paymentId = crypto.randomUUID();
    const e = event({ id: paymentId, sessionId: 'cs_mock_early' }, 'succeeded');
    let during: ApiResponse | undefined;
    await testDb().transaction(async (tx) => {
      await tx.insert(payments).values({
        id: paymentId,
        userId: learner.id,
        purchaseKind: 'course',
        purchaseId: course.id,
        description: 'early',
        amount: PRICE.amount,
        currency: 'KZT',
        provider: 'mock',
      });
      during = await deliver(e);
    });
    expect(during!.status, show(during!)).toBe(404);
    expect(await eventsOf(paymentId)).toHaveLength(0);
    // The provider retries (non-2xx): now the row is committed and the same event applies.
    const again = await deliver(e);
    expect(again.body, show(again)).toMatchObject({ outcome: 'applied', status: 'succeeded' });
    expect(await enrollmentsOf(learner.id, course.id)).toHaveLength(1);
  });

  it('attaching the session after a webhook already settled the payment does not move it back', async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const [row] = await db()
      .insert(payments)
      .values({
        userId: learner.id,
        purchaseKind: 'course',
        purchaseId: course.id,
        description: 'race',
        amount: PRICE.amount,
        currency: 'KZT',
        provider: 'mock',
      })
      .returning();
    expect((await deliver(event({ id: row!.id, sessionId: 'cs_mock_race' }, 'succeeded'))).body.outcome).toBe('applied');
    // The checkout's own attach step, landing after the webhook.
    const attached = await attachSession(testCtx(), row!.id, { sessionId: 'cs_mock_race', url: '/api/mock-pay/checkout/cs_mock_race' });
    expect(attached?.status).toBe('succeeded');
    expect((await paymentRow(row!.id)).status).toBe('succeeded');
    expect(await enrollmentsOf(learner.id, course.id)).toHaveLength(1);
  });

  it('reconciliation settles a payment whose webhooks were all lost', async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const p = await expectOk(buy(learner, course.id));
    // The provider took the money but no webhook ever arrives.
    await db().update(mockPaySessions).set({ status: 'paid' }).where(eq(mockPaySessions.id, p.sessionId));
    await db().update(payments).set({ statusChangedAt: sql`now() - interval '20 minutes'` }).where(eq(payments.id, p.id));
    const result = await reconcilePayments(testCtx());
    expect(result.settled).toBeGreaterThanOrEqual(1);
    expect((await paymentRow(p.id)).status).toBe('succeeded');
    expect(await enrollmentsOf(learner.id, course.id)).toHaveLength(1);
    // A webhook arriving after that changes nothing.
    expect((await deliver(event(p, 'succeeded'))).body.outcome).toBe('ignored');
    expect(await notesOf(learner.id, 'payment')).toHaveLength(1);
  });
});

/** Makes a checkout (and its mock session) look `minutes` old. */
async function age(p: { id: string; sessionId: string | null }, minutes: number) {
  const at = sql`now() - make_interval(mins => ${minutes})`;
  await db().update(payments).set({ createdAt: at, statusChangedAt: at }).where(eq(payments.id, p.id));
  if (p.sessionId) await db().update(mockPaySessions).set({ createdAt: at }).where(eq(mockPaySessions.id, p.sessionId));
}
const sessionRow = async (id: string) => (await db().select().from(mockPaySessions).where(eq(mockPaySessions.id, id)))[0]!;
const payCard = (p: { checkoutUrl: string }, card: string = TEST_CARDS.succeeds) =>
  api('POST', p.checkoutUrl, {
    rawBody: new URLSearchParams({ card }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

describe('checkout expiry (30 minutes) and price changes', () => {
  it('an unpaid checkout expires: the hosted page stops taking cards, the cron closes the session and cancels the payment', async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const p = await expectOk(buy(learner, course.id));
    await age(p, CHECKOUT_TTL_SEC / 60 + 1);
    const late = await payCard(p);
    expect(late.status, show(late)).toBe(303);
    expect(late.headers.get('location')).toContain('checkout=canceled');
    expect((await sessionRow(p.sessionId)).status).toBe('open');
    const result = await reconcilePayments(testCtx());
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect(await paymentRow(p.id)).toMatchObject({ status: 'canceled', failureReason: 'expired' });
    expect((await sessionRow(p.sessionId)).status).toBe('expired');
    expect(await enrollmentsOf(learner.id, course.id)).toHaveLength(0);
    // A younger checkout is left alone by the same run.
    const other = await registerUser();
    const fresh = await expectOk(buy(other, course.id));
    await reconcilePayments(testCtx());
    expect((await paymentRow(fresh.id)).status).toBe('pending');
  });

  it('an expiry that loses the race to a payment keeps the payment and grants access', async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const p = await expectOk(buy(learner, course.id));
    // Paid at the provider at the last second; its webhook has not arrived yet.
    await db().update(mockPaySessions).set({ status: 'paid' }).where(eq(mockPaySessions.id, p.sessionId));
    await age(p, CHECKOUT_TTL_SEC / 60 + 1);
    await reconcilePayments(testCtx());
    expect((await paymentRow(p.id)).status).toBe('succeeded');
    expect(await enrollmentsOf(learner.id, course.id)).toHaveLength(1);
    expect((await deliver(event(p, 'succeeded'))).body.outcome).toBe('ignored');
  });

  it('a late "succeeded" webhook for an expired checkout grants access once, at the quoted price', async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const p = await expectOk(buy(learner, course.id));
    await age(p, CHECKOUT_TTL_SEC / 60 + 1);
    await reconcilePayments(testCtx());
    expect((await paymentRow(p.id)).status).toBe('canceled');
    const late = event(p, 'succeeded');
    const deliveries = await Promise.all([deliver(late), deliver(late), deliver(event(p, 'succeeded'))]);
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    expect(deliveries.filter((d) => d.body.outcome === 'applied')).toHaveLength(1);
    expect(await paymentRow(p.id)).toMatchObject({ status: 'succeeded', failureReason: null, amount: PRICE.amount });
    expect(await enrollmentsOf(learner.id, course.id)).toHaveLength(1);
    expect(await enrollmentCount(course.id)).toBe(1);
    expect((await notesOf(learner.id, 'payment')).map((n) => (n.data as { status: string }).status)).toEqual(['succeeded']);
  });

  it('a late payment for something the buyer bought again meanwhile is refunded at the provider, never granted twice', async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const first = await expectOk(buy(learner, course.id));
    await age(first, CHECKOUT_TTL_SEC / 60 + 1);
    // Lazily: the next "buy" closes the stale checkout itself and starts a new one.
    const second = await expectOk(buy(learner, course.id));
    expect(second.id).not.toBe(first.id);
    expect(await paymentRow(first.id)).toMatchObject({ status: 'canceled', failureReason: 'expired' });
    expect((await payCard(second)).status).toBe(303);
    await waitFor('the second payment', async () => (await paymentRow(second.id)).status === 'succeeded');
    // The provider charged the first session too (the buyer paid in an old tab at the last second).
    await db().update(mockPaySessions).set({ status: 'paid' }).where(eq(mockPaySessions.id, first.sessionId));
    const late = await deliver(event(first, 'succeeded'));
    expect(late.body, show(late)).toMatchObject({ outcome: 'applied', status: 'refunded' });
    expect(await paymentRow(first.id)).toMatchObject({ status: 'refunded', failureReason: 'duplicate_purchase' });
    expect((await sessionRow(first.sessionId)).status).toBe('refunded');
    expect((await deliver(event(first, 'succeeded'))).body.outcome).toBe('ignored');
    expect((await paymentRow(second.id)).status).toBe('succeeded');
    expect(await enrollmentsOf(learner.id, course.id)).toHaveLength(1);
    expect(await enrollmentCount(course.id)).toBe(1);
  });

  it('a price change while a checkout is open: the stored quote wins until it expires or the buyer cancels it', async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const first = await expectOk(buy(learner, course.id));
    await db().update(courses).set({ priceAmount: 500000 }).where(eq(courses.id, course.id));
    // Resumed at the price it was opened with, whatever the catalog says now.
    const resumed = await expectOk(buy(learner, course.id), 200);
    expect([resumed.id, resumed.amount]).toEqual([first.id, PRICE.amount]);
    // A buyer who saw the new price is told about the open checkout instead of being charged the old one.
    const saw = await checkout(learner, { purchase: { kind: 'course', id: course.id }, expected: { amount: 500000, currency: 'KZT' } });
    expect(saw.status, show(saw)).toBe(400);
    expect(saw.body.error).toMatchObject({
      code: 'amount_mismatch',
      details: { reason: 'open_checkout', paymentId: first.id, price: { amount: PRICE.amount, currency: 'KZT' } },
    });
    // Someone else cannot cancel it; the buyer can, twice without harm.
    const other = await registerUser();
    expect((await api('POST', `/api/payments/${first.id}/cancel`, { token: other.token })).status).toBe(404);
    const canceled = await expectOk(api('POST', `/api/payments/${first.id}/cancel`, { token: learner.token }), 200);
    expect(canceled).toMatchObject({ status: 'canceled', failureReason: 'canceled_by_buyer' });
    expect((await api('POST', `/api/payments/${first.id}/cancel`, { token: learner.token })).status).toBe(200);
    expect((await sessionRow(first.sessionId)).status).toBe('expired');
    expect((await payCard(first)).headers.get('location')).toContain('checkout=canceled');
    // Now at the new price.
    const fresh = await expectOk(
      checkout(learner, { purchase: { kind: 'course', id: course.id }, expected: { amount: 500000, currency: 'KZT' } }),
    );
    expect([fresh.status, fresh.amount]).toEqual(['pending', 500000]);
    // A paid checkout cannot be canceled.
    await db().update(mockPaySessions).set({ status: 'paid' }).where(eq(mockPaySessions.id, fresh.sessionId));
    await deliver(event(fresh, 'succeeded', { amount: 500000 }));
    const no = await api('POST', `/api/payments/${fresh.id}/cancel`, { token: learner.token });
    expect([no.status, no.body.error?.details?.reason]).toEqual([409, 'not_open']);
  });
});

describe('idempotency', () => {
  it('20 parallel checkouts with one key → one payment, one session, one answer', async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const key = newKey();
    const results = await Promise.all(Array.from({ length: 20 }, () => buy(learner, course.id, key)));
    for (const r of results) expect(r.status, show(r)).toBe(201);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
    expect(await paymentsOf(learner.id)).toHaveLength(1);
    expect(await db().select().from(mockPaySessions).where(eq(mockPaySessions.reference, results[0]!.body.id))).toHaveLength(1);
  });

  it('a stored error is replayed for the same key and body', async () => {
    const free = await paidCourse({ price: null });
    const learner = await registerUser();
    const key = newKey();
    const first = await buy(learner, free.id, key);
    expect(first.status, show(first)).toBe(400);
    const again = await buy(learner, free.id, key);
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({
      code: first.body.error.code,
      message: first.body.error.message,
      details: first.body.error.details,
    });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('an expired key (24 h) is taken over by a new request', async () => {
    const course = await paidCourse();
    const other = await paidCourse();
    const learner = await registerUser();
    const key = newKey();
    await expectOk(buy(learner, course.id, key));
    await db().update(idempotencyKeys).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(idempotencyKeys.key, key));
    const reused = await buy(learner, other.id, key);
    expect(reused.status, show(reused)).toBe(201);
    expect(reused.body.purchase.id).toBe(other.id);
  });

  it('a first request that died without answering leaves its key reclaimable by the same request after a minute', async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const key = newKey();
    const body = { purchase: { kind: 'course', id: course.id } };
    await expectOk(checkout(learner, body, key));
    // As if the first attempt was killed before storing its answer, a minute ago.
    await db()
      .update(idempotencyKeys)
      .set({ responseStatus: null, responseBody: null, createdAt: sql`now() - interval '61 seconds'` })
      .where(eq(idempotencyKeys.key, key));
    const other = await checkout(learner, { purchase: { kind: 'course', id: crypto.randomUUID() } }, key);
    expect(other.status, show(other)).toBe(422);
    const again = await checkout(learner, body, key);
    expect(again.status, show(again)).toBe(200); // resumes the open checkout the dead attempt made
    expect(await paymentsOf(learner.id)).toHaveLength(1);
  });
});

describe('refunds', () => {
  it('an admin refund revokes access once, even when asked twice at the same time', async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const admin = await createAdmin();
    const p = await expectOk(buy(learner, course.id));
    await payWithCard(testCtx(), p.sessionId, TEST_CARDS.succeeds);
    expect((await deliver(event(p, 'succeeded'))).body.outcome).toBe('applied');
    expect(await enrollmentCount(course.id)).toBe(1);
    const [a, b] = await Promise.all([
      api('POST', `/api/admin/payments/${p.id}/refund`, { token: admin.token }),
      api('POST', `/api/admin/payments/${p.id}/refund`, { token: admin.token }),
    ]);
    expect(a.status, show(a)).toBe(200);
    expect(b.status, show(b)).toBe(200);
    expect([a.body.refunded, b.body.refunded].sort()).toEqual([false, true]);
    expect((await paymentRow(p.id)).status).toBe('refunded');
    expect(await enrollmentsOf(learner.id, course.id)).toHaveLength(0);
    expect(await enrollmentCount(course.id)).toBe(0);
    expect((await notesOf(learner.id, 'payment')).filter((n) => (n.data as { status: string }).status === 'refunded')).toHaveLength(1);
    // A third request and the provider's own refund webhook change nothing.
    expect((await api('POST', `/api/admin/payments/${p.id}/refund`, { token: admin.token })).body.refunded).toBe(false);
    expect((await deliver(event(p, 'refunded'))).body.outcome).toBe('ignored');
    expect(await enrollmentCount(course.id)).toBe(0);
    // A learner cannot refund.
    expect((await api('POST', `/api/admin/payments/${p.id}/refund`, { token: learner.token })).status).toBe(403);
  });

  it('a payment that did not succeed cannot be refunded', async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const admin = await createAdmin();
    const p = await expectOk(buy(learner, course.id));
    const res = await api('POST', `/api/admin/payments/${p.id}/refund`, { token: admin.token });
    expect(res.status, show(res)).toBe(409);
    expect((await paymentRow(p.id)).status).toBe('pending');
  });
});

describe('reads', () => {
  it('my payments page by cursor; the admin list filters by status and dates and totals per currency', async () => {
    const learner = await registerUser();
    const admin = await createAdmin();
    const made: string[] = [];
    for (let i = 0; i < 3; i++) made.push((await expectOk(buy(learner, (await paidCourse()).id))).id);
    const first = await expectOk(api('GET', '/api/payments?limit=2', { token: learner.token }), 200);
    expect(first.items).toHaveLength(2);
    const second = await expectOk(api('GET', `/api/payments?limit=2&cursor=${first.nextCursor}`, { token: learner.token }), 200);
    expect([...first.items, ...second.items].map((p: { id: string }) => p.id)).toEqual([...made].reverse());
    expect(second.nextCursor).toBeNull();

    const since = new Date(Date.now() - 60_000).toISOString();
    const list = await expectOk(api('GET', `/api/admin/payments?status=pending&from=${since}&limit=100`, { token: admin.token }), 200);
    expect(list.items.every((p: { status: string }) => p.status === 'pending')).toBe(true);
    for (const id of made) expect(list.items.map((p: { id: string }) => p.id)).toContain(id);
    const kzt = list.totals.find((t: { currency: string }) => t.currency === 'KZT');
    expect(kzt.count).toBeGreaterThanOrEqual(3);
    // Other suites (consultations) create pending KZT payments at other prices in parallel: the
    // totals must agree with the rows listed, not with this suite's price.
    const listed = list.items.filter((p: { currency: string }) => p.currency === 'KZT');
    if (!list.nextCursor) {
      expect(kzt.count).toBe(listed.length);
      expect(kzt.amount).toBe(listed.reduce((a: number, p: { amount: number }) => a + p.amount, 0));
    }
    const empty = await expectOk(
      api('GET', `/api/admin/payments?status=refunded&from=${new Date(Date.now() + 3_600_000).toISOString()}`, { token: admin.token }),
      200,
    );
    expect(empty).toMatchObject({ items: [], totals: [] });
    expect((await api('GET', '/api/admin/payments', { token: learner.token })).status).toBe(403);
  });
});

/**
 * Postgres round trips of one context: a statement sent alone is one, a batch (one HTTP request,
 * one transaction) is one however many statements it holds. Statements of an interactive
 * transaction are counted one each (each is a round trip), begin and commit included.
 */
function countingCtx() {
  const statements: string[] = [];
  let roundTrips = 0;
  let inBatch = false;
  const ctx = testCtx({
    onQuery: (q) => {
      statements.push(q);
      if (!inBatch) roundTrips++;
    },
  });
  const db = ctx.services.db.db;
  const batch = db.batch.bind(db);
  // The statements of a batch are reported synchronously while it is being sent.
  db.batch = ((queries: Parameters<typeof batch>[0]) => {
    roundTrips++;
    inBatch = true;
    try {
      return batch(queries);
    } finally {
      inBatch = false;
    }
  }) as unknown as typeof db.batch;
  return {
    ctx,
    statements,
    take() {
      const n = { roundTrips, statements: [...statements] };
      roundTrips = 0;
      statements.length = 0;
      return n;
    },
  };
}

describe('cost of one purchase', () => {
  it("checkout is 4 round trips (1 of them the mock provider's), its replay 1; the webhook one transaction of 7 round trips", async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const { ctx, take } = countingCtx();
    const actor = { id: learner.id, role: 'learner' as const, sessionId: 'test' };
    const input = { purchase: { kind: 'course' as const, id: course.id }, lang: 'ru' as const };
    const key = newKey();
    const res = await checkoutOp(ctx, actor, input, key);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'pending', sessionId: expect.stringMatching(/^cs_mock_/) });
    // [verified-email check + claim key + quote read], insert payment, mock session insert, [attach session + store response]
    let n = take();
    expect(n.roundTrips, n.statements.join('\n')).toBe(4);
    // What was stored is what the row says after the attach.
    const row = await paymentRow(res.body.id);
    expect(row).toMatchObject({ status: 'pending', providerSessionId: res.body.sessionId, checkoutUrl: res.body.checkoutUrl });
    const [stored] = await db().select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
    expect(stored).toMatchObject({ responseStatus: 201, responseBody: res.body });

    const again = await checkoutOp(ctx, actor, input, key);
    expect(again).toEqual({ ...res, replayed: true });
    n = take();
    expect(n.roundTrips, n.statements.join('\n')).toBe(1);

    const r = await settle(ctx, {
      provider: 'mock',
      eventId: `evt_cost_${res.body.id}`,
      type: 'payment.succeeded',
      paymentId: res.body.id,
      sessionId: res.body.sessionId,
      status: 'succeeded',
      amount: PRICE.amount,
      currency: 'KZT',
      payload: {},
    });
    expect(r.outcome).toBe('applied');
    // one transaction: begin, lock the payment, record the event, move it, grant (one CTE), notify, commit
    n = take();
    expect(n.statements, n.statements.join('\n')).toHaveLength(7);
    expect([n.statements[0]?.trim(), n.statements[6]?.trim()]).toEqual(['begin', 'commit']);
  });

  it('a stored error is replayed in 1 round trip; an unverified email is refused before the key is claimed', async () => {
    const free = await paidCourse({ price: null });
    const learner = await registerUser();
    const { ctx, take } = countingCtx();
    const actor = { id: learner.id, role: 'learner' as const, sessionId: 'test' };
    const input = { purchase: { kind: 'course' as const, id: free.id }, lang: 'ru' as const };
    const key = newKey();
    await expect(checkoutOp(ctx, actor, input, key)).rejects.toMatchObject({ code: 'bad_request' });
    // [email check + claim + quote read], store the error
    expect(take().roundTrips).toBe(2);
    await expect(checkoutOp(ctx, actor, input, key)).rejects.toMatchObject({
      code: 'bad_request',
      headers: { 'Idempotent-Replayed': 'true' },
    });
    expect(take().roundTrips).toBe(1);

    const unverified = await registerUser('learner', {}, { verified: false });
    const course = await paidCourse();
    const body = { purchase: { kind: 'course', id: course.id } };
    const refused = await checkout(unverified, body, key);
    expect(refused.status, show(refused)).toBe(403);
    expect(refused.body.error.code).toBe('email_unverified');
    expect(await db().select().from(idempotencyKeys).where(eq(idempotencyKeys.userId, unverified.id))).toHaveLength(0);
    expect(await paymentsOf(unverified.id)).toHaveLength(0);
    // Confirmed later, the same key does the work (nothing was stored under it).
    await db().update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, unverified.id));
    await expectOk(checkout(unverified, body, key));
  });

  it('a webhook landing between the provider session and the attach: the answer is the settled payment, stored and replayed', async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const { ctx } = countingCtx();
    const db0 = ctx.services.db.db;
    const insert = db0.insert.bind(db0);
    // The provider's webhook is applied as soon as its session exists, before checkout attaches it.
    db0.insert = ((table: Parameters<typeof insert>[0]) => {
      const builder = insert(table);
      if (table !== mockPaySessions) return builder;
      const values = builder.values.bind(builder);
      builder.values = ((v: Parameters<typeof values>[0]) => {
        const q = values(v);
        const execute = q.execute.bind(q);
        q.execute = (async (...args: Parameters<typeof execute>) => {
          const rows = (await execute(...args)) as unknown as { id: string; reference: string }[];
          const s = rows[0]!;
          expect((await deliver(event({ id: s.reference, sessionId: s.id }, 'succeeded'))).body.outcome).toBe('applied');
          return rows;
        }) as unknown as typeof q.execute;
        return q;
      }) as typeof builder.values;
      return builder;
    }) as typeof db0.insert;
    const actor = { id: learner.id, role: 'learner' as const, sessionId: 'test' };
    const input = { purchase: { kind: 'course' as const, id: course.id }, lang: 'ru' as const };
    const key = newKey();
    const res = await checkoutOp(ctx, actor, input, key);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'succeeded', checkoutUrl: null, sessionId: expect.stringMatching(/^cs_mock_/) });
    const row = await paymentRow(res.body.id);
    expect(row.status).toBe('succeeded');
    expect(row.checkoutUrl).toMatch(/^\/api\/mock-pay\/checkout\/cs_mock_/);
    expect(await enrollmentsOf(learner.id, course.id)).toHaveLength(1);
    const again = await buy(learner, course.id, key);
    expect(again.status, show(again)).toBe(201);
    expect(again.body).toEqual(res.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('production', () => {
  it('the config refuses the mock provider in production', () => {
    expect(() => loadConfig({ ...(vars as unknown as Env), APP_ENV: 'production', PAYMENTS_PROVIDER: 'mock' })).toThrow(
      /mock payment provider/,
    );
    expect(loadConfig({ ...(vars as unknown as Env), APP_ENV: 'production', PAYMENTS_PROVIDER: 'stripe' }).PAYMENTS_PROVIDER).toBe(
      'stripe',
    );
  });

  it("the mock provider's pages answer 404 in production, and an unconfigured Stripe charges nothing (503)", async () => {
    const app = createApp({ routers: [paymentsRoutes, mockPayRoutes] });
    const prod = { ...(vars as unknown as Env), APP_ENV: 'production', PAYMENTS_PROVIDER: 'stripe' };
    const page = await app.request('/api/mock-pay/checkout/cs_mock_00000000000000000000000000000000', {}, prod);
    expect(page.status).toBe(404);
    expect(((await page.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const hook = await app.request(
      '/api/webhooks/payments',
      { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } },
      prod,
    );
    expect(hook.status).toBe(503);
  });
});

interface BadCase {
  name: string;
  run: (f: { learner: TestUser; other: TestUser; course: string; p: { id: string; sessionId: string } }) => Promise<ApiResponse>;
  status: number;
  code: string;
}

describe.each<BadCase>([
  {
    name: 'a missing Idempotency-Key',
    run: ({ learner, course }) => checkout(learner, { purchase: { kind: 'course', id: course } }, null),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a reused Idempotency-Key with another body',
    run: async ({ learner, course }) => {
      const key = newKey();
      await checkout(learner, { purchase: { kind: 'course', id: crypto.randomUUID() } }, key);
      return checkout(learner, { purchase: { kind: 'course', id: course } }, key);
    },
    status: 422,
    code: 'idempotency_key_reused',
  },
  {
    name: 'a free course',
    run: async ({ learner }) => buy(learner, (await paidCourse({ price: null })).id),
    status: 400,
    code: 'bad_request',
  },
  {
    name: 'an unpublished course',
    run: async ({ learner }) => buy(learner, (await paidCourse({ publish: false })).id),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'an already-owned course',
    run: async ({ learner }) => {
      const free = await paidCourse({ price: null });
      await enroll(learner, free.id);
      await db().update(courses).set({ priceAmount: 1000 }).where(eq(courses.id, free.id));
      return buy(learner, free.id);
    },
    status: 409,
    code: 'conflict',
  },
  {
    name: 'a malformed checkout body',
    run: ({ learner }) => checkout(learner, { purchase: { kind: 'course', id: 'not-a-uuid' } }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a purchase kind nobody sells',
    run: ({ learner }) => checkout(learner, { purchase: { kind: 'gift_card', id: crypto.randomUUID() } }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'an amount that does not match the server price',
    run: ({ learner, course }) =>
      checkout(learner, { purchase: { kind: 'course', id: course }, expected: { amount: 100, currency: 'KZT' } }),
    status: 400,
    code: 'amount_mismatch',
  },
  {
    name: "someone else's payment id",
    run: ({ other, p }) => api('GET', `/api/payments/${p.id}`, { token: other.token }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'a webhook with a wrong signature',
    run: ({ p }) => deliver(event(p, 'succeeded'), { secret: 'x'.repeat(40) }),
    status: 400,
    code: 'invalid_signature',
  },
  {
    name: 'a webhook without a signature',
    run: ({ p }) => deliver(event(p, 'succeeded'), { header: '' }),
    status: 400,
    code: 'invalid_signature',
  },
  {
    name: 'a replayed webhook with a stale timestamp',
    run: ({ p }) => deliver(event(p, 'succeeded'), { at: Math.floor(Date.now() / 1000) - 301 }),
    status: 400,
    code: 'invalid_signature',
  },
  {
    name: 'a webhook for an unknown payment id',
    run: ({ p }) => deliver(event({ ...p, id: crypto.randomUUID() }, 'succeeded')),
    status: 404,
    code: 'not_found',
  },
  { name: 'a malformed webhook body (signed)', run: () => deliver('{"id": 1'), status: 400, code: 'invalid_json' },
  {
    name: 'a webhook event of the wrong shape (signed)',
    run: ({ p }) => deliver(JSON.stringify({ id: 'evt_x', type: 'payment.succeeded', data: { reference: p.id } })),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a webhook whose amount does not match the payment',
    run: ({ p }) => deliver(event(p, 'succeeded', { amount: 1 })),
    status: 400,
    code: 'amount_mismatch',
  },
])('bad input: $name', ({ run, status, code }) => {
  it(`answers ${status} ${code} and writes nothing`, async () => {
    const course = await paidCourse();
    const learner = await registerUser();
    const other = await registerUser();
    const p = await expectOk(buy(learner, course.id));
    const before = {
      payments: (await paymentsOf(learner.id)).length,
      events: (await eventsOf(p.id)).length,
      status: (await paymentRow(p.id)).status,
    };
    const res = await run({ learner, other, course: course.id, p });
    expect(res.status, show(res)).toBe(status);
    expect(res.body.error, show(res)).toMatchObject({ code, requestId: expect.any(String) });
    expect((await paymentsOf(learner.id)).length).toBe(before.payments);
    expect((await eventsOf(p.id)).length).toBe(before.events);
    expect((await paymentRow(p.id)).status).toBe(before.status);
    expect(await enrollmentsOf(learner.id, course.id)).toHaveLength(0);
    expect(await paymentsOf(other.id)).toHaveLength(0);
  });
});
