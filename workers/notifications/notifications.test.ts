import { SELF, env, runDurableObjectAlarm } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { notifications } from '../../db/schema/index.ts';
import { createCourse } from '../../tests/support/catalog.ts';
import { testCtx } from '../../tests/support/ctx.ts';
import { api, show } from '../../tests/support/http.ts';
import { enroll, expectStatus, openLive, sleep } from '../../tests/support/learning.ts';
import { registerUser, testDb, verifiedTeacher, type TestUser } from '../../tests/support/users.ts';
import { liveKey } from '../live/presence.ts';
import { notify, publishNotifications, type InsertedNotification } from './notify.ts';

const db = () => testDb().db;

async function seedNotifications(u: TestUser, n: number) {
  const ctx = testCtx();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await notify(ctx, { userId: u.id, kind: 'booking', data: { i }, dedupeKey: `seed:${i}` }))!.id);
  return ids;
}

describe('notifications — inbox', () => {
  it('lists my notifications newest first with a cursor, counts and marks the unread ones', async () => {
    const u = await registerUser();
    const ids = await seedNotifications(u, 5);
    const p1 = await api('GET', '/api/me/notifications?limit=3', { token: u.token });
    expect(p1.status, show(p1)).toBe(200);
    expect(p1.body.items.map((n: { id: string }) => n.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(p1.body.items[0]).toMatchObject({ kind: 'booking', data: { i: 4 }, readAt: null });
    const p2 = await api('GET', `/api/me/notifications?limit=3&cursor=${encodeURIComponent(p1.body.nextCursor)}`, { token: u.token });
    expect(p2.body.items.map((n: { id: string }) => n.id)).toEqual([ids[1], ids[0]]);
    expect(p2.body.nextCursor).toBeNull();

    const count = async () => (await api('GET', '/api/me/notifications/unread-count', { token: u.token })).body;
    expect(await count()).toEqual({ count: 5 });
    const read = await api('PUT', `/api/me/notifications/${ids[0]}/read`, { token: u.token });
    expect(read.status, show(read)).toBe(200);
    expect(read.body.readAt).toBeTruthy();
    // Idempotent: the first read time stays.
    expect((await api('PUT', `/api/me/notifications/${ids[0]}/read`, { token: u.token })).body.readAt).toBe(read.body.readAt);
    expect(await count()).toEqual({ count: 4 });
    expect((await api('GET', '/api/me/notifications?unread=true', { token: u.token })).body.items).toHaveLength(4);
    const all = await api('POST', '/api/me/notifications/read-all', { token: u.token });
    expect(all.body).toEqual({ updated: 4 });
    expect(await count()).toEqual({ count: 0 });
  });

  it("someone else's notification cannot be read or marked (404), and stays unread", async () => {
    const owner = await registerUser();
    const [id] = await seedNotifications(owner, 1);
    const other = await registerUser();
    const res = await api('PUT', `/api/me/notifications/${id}/read`, { token: other.token });
    expect(res.status, show(res)).toBe(404);
    expect((await api('POST', '/api/me/notifications/read-all', { token: other.token })).body).toEqual({ updated: 0 });
    expect((await api('GET', '/api/me/notifications', { token: other.token })).body.items).toEqual([]);
    const [row] = await db().select().from(notifications).where(eq(notifications.id, id!));
    expect(row!.readAt).toBeNull();
    expect((await api('PUT', '/api/me/notifications/not-an-id/read', { token: other.token })).status).toBe(404);
  });

  it('the same event notifies once (dedupe key)', async () => {
    const u = await registerUser();
    const ctx = testCtx();
    const first = await notify(ctx, { userId: u.id, kind: 'payment', dedupeKey: 'payment:1' });
    const second = await notify(ctx, { userId: u.id, kind: 'payment', dedupeKey: 'payment:1' });
    expect(first).toBeDefined();
    expect(second).toBeUndefined();
    expect((await api('GET', '/api/me/notifications/unread-count', { token: u.token })).body.count).toBe(1);
  });

  it('requires a login', async () => {
    expect((await api('GET', '/api/me/notifications')).status).toBe(401);
    expect((await api('GET', '/api/me/notifications/unread-count')).status).toBe(401);
  });
});

describe('notifications — live over WebSocket', () => {
  it('delivers a committed notification to its user only; another user receives nothing', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t);
    const alice = await registerUser();
    const bob = await registerUser();
    const aliceSocket = await openLive({ token: alice.token });
    const aliceSecondTab = await openLive({ token: alice.token });
    const bobSocket = await openLive({ token: bob.token });
    try {
      await expectStatus(enroll(alice, c.id), 201);
      const pushed = await aliceSocket.next((m) => m.type === 'notification');
      expect(pushed.notification).toMatchObject({ kind: 'enrollment', data: { courseId: c.id }, readAt: null });
      const [row] = await db().select().from(notifications).where(eq(notifications.userId, alice.id));
      expect(pushed.notification.id).toBe(row!.id);
      expect((await aliceSecondTab.next((m) => m.type === 'notification')).notification.id).toBe(row!.id);
      await sleep(300);
      expect(
        bobSocket.messages.filter((m) => m.type !== 'ready'),
        "bob got alice's event",
      ).toEqual([]);

      // Marking read tells the other tabs, so their badges update.
      await expectStatus(api('PUT', `/api/me/notifications/${row!.id}/read`, { token: alice.token }), 200);
      expect(await aliceSecondTab.next((m) => m.type === 'read')).toEqual({ type: 'read', ids: [row!.id] });
      await sleep(100);
      expect(bobSocket.messages.filter((m) => m.type !== 'ready')).toEqual([]);
    } finally {
      aliceSocket.close();
      aliceSecondTab.close();
      bobSocket.close();
    }
  });

  it('opens with a short-lived ticket (for clients that cannot send headers) and answers pings', async () => {
    const u = await registerUser();
    const issued = await api('POST', '/api/me/live/ticket', { token: u.token });
    expect(issued.status, show(issued)).toBe(200);
    expect(issued.body.expiresIn).toBe(60);
    const socket = await openLive({ ticket: issued.body.ticket });
    try {
      await notify(testCtx(), { userId: u.id, kind: 'booking', data: { slot: 1 } });
      expect((await socket.next((m) => m.type === 'notification')).notification.kind).toBe('booking');
    } finally {
      socket.close();
    }
    // A ticket is not an access token, and an access token is not a ticket.
    expect((await api('GET', '/api/me', { token: issued.body.ticket })).status).toBe(401);
    const wrong = await SELF.fetch(`http://sabaq.test/api/me/live?ticket=${u.token}`, { headers: { Upgrade: 'websocket' } });
    expect(wrong.status).toBe(401);
  });

  it.each([
    ['no credentials', {}, 401],
    ['a plain GET without the upgrade', { upgrade: false }, 400],
    ['a session cookie from another site', { cookie: true, origin: 'https://evil.example' }, 403],
  ])('%s → %i', async (_l, opts: { upgrade?: boolean; cookie?: boolean; origin?: string }, status) => {
    const u = await registerUser();
    const headers: Record<string, string> = {};
    if (opts.upgrade !== false) headers.Upgrade = 'websocket';
    if (opts.cookie) headers.cookie = `__Host-sabaq_at=${u.token}`;
    else if (opts.upgrade === false) headers.authorization = `Bearer ${u.token}`;
    if (opts.origin) headers.origin = opts.origin;
    const res = await SELF.fetch('http://sabaq.test/api/me/live', { headers });
    expect(res.status, await res.text()).toBe(status);
  });

  it("keeps the user's presence mark while a socket is open and drops it with the last one", async () => {
    const u = await registerUser();
    const redis = testCtx().services.redis;
    expect(await redis.get(liveKey(u.id))).toBeNull();
    const first = await openLive({ token: u.token });
    const second = await openLive({ token: u.token });
    // Set before 'ready', so a write the page makes next sees it.
    expect(await redis.get(liveKey(u.id))).not.toBeNull();
    expect(await redis.ttl(liveKey(u.id))).toBeGreaterThan(60);
    // The object's alarm renews a mark that lapsed (or was lost) while a page is open.
    await redis.del(liveKey(u.id));
    const ns = (env as unknown as { LIVE: DurableObjectNamespace }).LIVE;
    expect(await runDurableObjectAlarm(ns.get(ns.idFromName(u.id)))).toBe(true);
    expect(await redis.get(liveKey(u.id)), 'renewed by the alarm').not.toBeNull();
    first.close();
    await sleep(300);
    expect(await redis.get(liveKey(u.id)), 'one page is still open').not.toBeNull();
    second.close();
    let mark: unknown = 'set';
    for (let i = 0; i < 40 && mark !== null; i++) {
      await sleep(50);
      mark = await redis.get(liveKey(u.id));
    }
    expect(mark, 'the last page closed').toBeNull();
  });

  it("skips the push of the actor's own notification only when the actor is known to have no socket open", async () => {
    const pushed: string[] = [];
    const live = { idFromName: (name: string) => name, get: (id: string) => ({ push: async () => pushed.push(id) }) };
    const base = testCtx();
    const ctx = { ...base, config: { ...base.config, LIVE: live as unknown as typeof base.config.LIVE } };
    const row = (userId: string): InsertedNotification => ({
      id: crypto.randomUUID(),
      userId,
      kind: 'enrollment',
      data: {},
      readAt: null,
      createdAt: new Date(),
    });
    const actor = (live?: boolean) => ({ id: 'me', role: 'learner' as const, sessionId: 's', ...(live === undefined ? {} : { live }) });
    publishNotifications(ctx, [row('me'), row('other')], actor(false));
    publishNotifications(ctx, [row('me')], actor(true));
    publishNotifications(ctx, [row('me')], actor());
    publishNotifications(ctx, [row('me')]);
    await sleep(20);
    expect(pushed.sort()).toEqual(['me', 'me', 'me', 'other']);
  });

  it('a same-origin page authenticates the socket with its session cookie', async () => {
    const u = await registerUser();
    const socket = await openLive({ headers: { cookie: `__Host-sabaq_at=${u.token}`, origin: 'http://sabaq.test' } });
    socket.close();
  });
});
