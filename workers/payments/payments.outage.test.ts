import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { idempotencyKeys, payments } from '../../db/schema/index.ts';
import { createCourse } from '../../tests/support/catalog.ts';
import { api, show } from '../../tests/support/http.ts';
import { redisControl } from '../../tests/support/outage.ts';
import { registerUser, testDb, verifiedTeacher } from '../../tests/support/users.ts';

describe('checkout with Redis down', () => {
  afterEach(() => redisControl('resume'));

  it('fails closed: 503 with Retry-After, no payment and no key stored; works again once Redis is back', async () => {
    const course = await createCourse(await verifiedTeacher(), { price: { amount: 990000, currency: 'KZT' }, lessonsPerModule: 1 });
    const learner = await registerUser();
    expect((await redisControl('pause')).status).toBe(204);
    const body = { purchase: { kind: 'course', id: course.id } };
    const res = await api('POST', '/api/checkout', { token: learner.token, body, headers: { 'idempotency-key': 'outage-key-0001' } });
    expect(res.status, show(res)).toBe(503);
    expect(res.body.error.code).toBe('service_unavailable');
    expect(res.headers.get('retry-after')).toBeTruthy();
    const { db } = testDb();
    expect(await db.select().from(payments).where(eq(payments.userId, learner.id))).toHaveLength(0);
    expect(await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.userId, learner.id))).toHaveLength(0);
    await redisControl('resume');
    const ok = await api('POST', '/api/checkout', { token: learner.token, body, headers: { 'idempotency-key': 'outage-key-0001' } });
    expect(ok.status, show(ok)).toBe(201);
  });
});
