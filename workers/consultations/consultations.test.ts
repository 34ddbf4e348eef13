import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../db/client.ts';
import { availabilityRules, bookings, notifications, payments, specialists, users } from '../../db/schema/index.ts';
import { bookSlot, listedSpecialist, parentWithChild, slotsOf, type SpecialistFixture } from '../../tests/support/consultations.ts';
import { testCtx } from '../../tests/support/ctx.ts';
import { api, show, type ApiResponse } from '../../tests/support/http.ts';
import { sleep } from '../../tests/support/learning.ts';
import { createAdmin, registerUser, testDb, verifiedTeacher, vars, type TestUser } from '../../tests/support/users.ts';
import { loadConfig, type Env } from '../env.ts';
import type { Actor, Ctx } from '../lib/context.ts';
import { webhookSecret, type ProviderEvent, type ProviderStatus } from '../payments/provider.ts';
import { SIGNATURE_HEADER, sign } from '../payments/signature.ts';
import type { AppError } from '../lib/errors.ts';
import { book, cancelBooking } from './bookings.ts';
import { expireHolds, sendReminders } from './jobs.ts';
import { refreshStaleNextFree } from './next-free.ts';
import { addDays, localDate } from './zones.ts';

const db = () => testDb().db;
const H = 3_600_000;

function ctxAt(at: number): Ctx {
  const ctx = testCtx();
  return {
    ...ctx,
    services: {
      ...ctx.services,
      db: ctx.services.db,
      redis: ctx.services.redis,
      cache: ctx.services.cache,
      edge: ctx.services.edge,
      now: () => new Date(at),
    },
  };
}
const actorOf = (u: TestUser): Actor => ({ id: u.id, role: u.role as Actor['role'], sessionId: 'test' });

async function expectOk(res: Promise<ApiResponse> | ApiResponse, status = 200) {
  const r = await res;
  expect(r.status, show(r)).toBe(status);
  return r.body;
}
async function bookingRow(id: string) {
  const [row] = await db().select().from(bookings).where(eq(bookings.id, id));
  return row!;
}
const bookingNotes = async (userId: string) =>
  (await db().select().from(notifications).where(eq(notifications.userId, userId))).filter((n) => n.kind === 'booking');

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function event(p: { id: string; sessionId: string; amount: number }, status: ProviderStatus): ProviderEvent {
  return {
    id: `evt_test_${crypto.randomUUID().replace(/-/g, '')}`,
    type: `payment.${status}`,
    created: Math.floor(Date.now() / 1000),
    data: { reference: p.id, sessionId: p.sessionId, status, amount: p.amount, currency: 'KZT' },
  };
}
async function deliver(e: ProviderEvent) {
  const body = JSON.stringify(e);
  const header = await sign(webhookSecret(loadConfig(vars as unknown as Env)), body, Math.floor(Date.now() / 1000));
  return api('POST', '/api/webhooks/payments', {
    rawBody: body,
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: header },
  });
}

/** A paid booking held for a parent's child, with its pending payment. */
async function heldBooking(s?: SpecialistFixture, slotIndex = 0) {
  const sp = s ?? (await listedSpecialist());
  const { parent, childId } = await parentWithChild();
  const slot = (await slotsOf(sp, sp.paidType))[slotIndex]!;
  const body = await expectOk(bookSlot(parent, sp, slot, { childId }), 201);
  const [p] = await db().select().from(payments).where(eq(payments.id, body.payment.id));
  return {
    s: sp,
    parent,
    childId,
    slot,
    booking: body.booking,
    payment: { id: p!.id, sessionId: p!.providerSessionId!, amount: p!.amount },
    body,
  };
}

/** Pays a held booking with the test card through the hosted page and waits for the webhook. */
async function payHeld(h: Awaited<ReturnType<typeof heldBooking>>) {
  const paid = await api('POST', h.body.payment.checkoutUrl, {
    rawBody: new URLSearchParams({ card: '4242 4242 4242 4242' }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(paid.status, show(paid)).toBe(303);
  await waitFor('the booking confirmed by the webhook', async () => (await bookingRow(h.booking.id)).status === 'confirmed');
}

describe('consultations — directory and slots', () => {
  it('lists verified specialists with filters and a cursor; unverified ones stay out', async () => {
    const tag = `sp_${Math.random().toString(36).slice(2, 8)}`.replace(/[0-9]/g, 'x');
    const a = await listedSpecialist({ specialties: [tag, 'psychologist'], languages: ['ru'], price: 300000 });
    const b = await listedSpecialist({ specialties: [tag], languages: ['kk', 'en'], price: 900000 });
    const c = await listedSpecialist({ specialties: [tag], languages: ['ru'], price: 100000 });
    const all = await expectOk(api('GET', `/api/specialists?specialty=${tag}&limit=2`));
    expect(all.items.map((x: { id: string }) => x.id)).toEqual([c.id, b.id]);
    const p2 = await expectOk(api('GET', `/api/specialists?specialty=${tag}&limit=2&cursor=${encodeURIComponent(all.nextCursor)}`));
    expect(p2.items.map((x: { id: string }) => x.id)).toEqual([a.id]);
    expect(p2.nextCursor).toBeNull();
    const kk = await expectOk(api('GET', `/api/specialists?specialty=${tag}&language=kk`));
    expect(kk.items.map((x: { id: string }) => x.id)).toEqual([b.id]);
    // maxPrice: a specialist whose cheapest type fits (the free 30-min type fits every one here).
    const cheap = await expectOk(api('GET', `/api/specialists?specialty=${tag}&maxPrice=0`));
    expect(cheap.items).toHaveLength(3);
    const profile = await expectOk(api('GET', `/api/specialists/${a.id}?lang=en`));
    expect(profile).toMatchObject({ id: a.id, bio: 'Child psychologist', timeZone: 'Asia/Almaty', verified: true });
    expect(profile.sessionTypes).toHaveLength(2);
    // Taken out of the directory: gone from the list and the profile at once (the cache generation moved).
    const { createAdmin } = await import('../../tests/support/users.ts');
    const admin = await createAdmin();
    await expectOk(api('POST', `/api/admin/specialists/${a.id}/verify`, { token: admin.token, body: { verified: false } }));
    expect((await api('GET', `/api/specialists/${a.id}`)).status).toBe(404);
    const after = await expectOk(api('GET', `/api/specialists?specialty=${tag}`));
    expect(after.items.map((x: { id: string }) => x.id)).toEqual([c.id, b.id]);
  });

  it('slots follow the weekly hours in the zone, start 12 h ahead at the earliest, and a booking removes its slot', async () => {
    const s = await listedSpecialist({ timeZone: 'Europe/Berlin' });
    const res = await expectOk(api('GET', `/api/specialists/${s.id}/slots?sessionTypeId=${s.paidType}&from=2026-01-01&to=2026-01-20`));
    expect(res.slots).toEqual([]); // all in the past
    const slots = await slotsOf(s, s.paidType, 0, 3);
    expect(slots.length).toBeGreaterThan(10);
    for (const x of slots) {
      expect(Date.parse(x)).toBeGreaterThanOrEqual(Date.now() + 12 * H - 60_000);
      const local = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Berlin',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(new Date(x));
      expect(local >= '09:00' && local <= '17:00', local).toBe(true);
    }
    const u = await registerUser();
    // Booked with the type whose grid the slot is from: the 30-minute grid differs from the
    // 60-minute one when the 12-hour notice ends inside the working day.
    await expectOk(bookSlot(u, s, slots[0]!, { typeId: s.paidType }), 201);
    expect(await slotsOf(s, s.paidType, 0, 3)).not.toContain(slots[0]);
  });
});

describe('consultations — exceptions and the next free slot', () => {
  const tagOf = () => `nf_${Math.random().toString(36).slice(2, 8)}`.replace(/[0-9]/g, 'y');
  type Card = { id: string; nextFreeAt: string | null };
  const cardsOf = async (query: string): Promise<Card[]> => (await expectOk(api('GET', `/api/specialists?${query}`))).items;
  const nextFreeOf = async (tag: string, id: string) => (await cardsOf(`specialty=${tag}&limit=50`)).find((c) => c.id === id)?.nextFreeAt;
  const local = (offset: number, zone = 'Asia/Almaty') => addDays(localDate(Date.now(), zone), offset);

  it("a day off removes that date's slots, a part-day off some of them, extra hours add slots", async () => {
    const s = await listedSpecialist();
    const off = local(3);
    const part = local(4);
    const extra = local(5);
    const rules = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, startMinute: 540, endMinute: 1080 }));
    const saved = await expectOk(
      api('PUT', '/api/specialist/availability', {
        token: s.user.token,
        body: {
          rules,
          exceptions: [
            { date: off, kind: 'off' },
            { date: part, kind: 'off', startMinute: 540, endMinute: 720 },
            { date: extra, kind: 'extra', startMinute: 1140, endMinute: 1260 },
          ],
        },
      }),
    );
    expect(saved.exceptions).toEqual([
      { date: off, kind: 'off', startMinute: null, endMinute: null },
      { date: part, kind: 'off', startMinute: 540, endMinute: 720 },
      { date: extra, kind: 'extra', startMinute: 1140, endMinute: 1260 },
    ]);
    const slots = await slotsOf(s, s.paidType, 2, 7);
    const localOf = (iso: string) =>
      new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Almaty', dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
    const byDate = (d: string) => slots.map(localOf).filter((x) => x.startsWith(d));
    expect(byDate(off)).toEqual([]);
    expect(byDate(part)[0]).toBe(`${part} 12:00`);
    expect(byDate(extra)).toContain(`${extra} 19:00`);
    // A part-day off without its end is refused with the field named, and nothing changes.
    const bad = await api('PUT', '/api/specialist/availability', {
      token: s.user.token,
      body: { rules, exceptions: [{ date: off, kind: 'extra', startMinute: 600 }] },
    });
    expect(bad.status, show(bad)).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect((await expectOk(api('GET', '/api/specialist/availability', { token: s.user.token }))).exceptions).toHaveLength(3);
  });

  it('each card carries its next free slot; booking it moves it; days off push it past a "free within N days" filter', async () => {
    const tag = tagOf();
    const s = await listedSpecialist({ specialties: [tag] });
    // The earliest slot of either type, and that type: the two grids differ whenever the 12-hour
    // notice ends inside the specialist's working day (e.g. 10:10 for 60 minutes, 10:20 for 30).
    const firstSlot = async () => {
      const [paid, free] = await Promise.all([slotsOf(s, s.paidType, 0, 2), slotsOf(s, s.freeType, 0, 2)]);
      return paid[0]! < free[0]! ? { at: paid[0]!, typeId: s.paidType } : { at: free[0]!, typeId: s.freeType };
    };
    const firstOf = async () => (await firstSlot()).at;
    const { at: first, typeId } = await firstSlot();
    await waitFor('the next free slot on the card', async () => (await nextFreeOf(tag, s.id)) === first);
    expect((await expectOk(api('GET', `/api/specialists/${s.id}`))).nextFreeAt).toBe(first);

    // Booking that slot: the card moves on to the next one (its cached page is replaced).
    await expectOk(bookSlot(await registerUser(), s, first, { typeId }), 201);
    const second = await firstOf();
    expect(second > first).toBe(true);
    await waitFor('the next free slot after the booking', async () => (await nextFreeOf(tag, s.id)) === second);

    // Five local days off from today: nothing is free for five days.
    const exceptions = [0, 1, 2, 3, 4, 5].map((d) => ({ date: local(d), kind: 'off' }));
    const rules = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, startMinute: 540, endMinute: 1080 }));
    await expectOk(api('PUT', '/api/specialist/availability', { token: s.user.token, body: { rules, exceptions } }));
    const later = await waitFor('the next free slot after the days off', async () => {
      const at = await nextFreeOf(tag, s.id);
      return at && at !== second ? at : undefined;
    });
    expect(Date.parse(later)).toBeGreaterThan(Date.now() + 5 * 24 * H);
    expect((await cardsOf(`specialty=${tag}&freeWithinDays=5`)).map((c) => c.id)).toEqual([]);
    expect((await cardsOf(`specialty=${tag}&freeWithinDays=9`)).map((c) => c.id)).toEqual([s.id]);

    // No hours at all: no next free slot, never in a "free within" result.
    await expectOk(api('PUT', '/api/specialist/availability', { token: s.user.token, body: { rules: [], exceptions: [] } }));
    await waitFor('no next free slot', async () => (await nextFreeOf(tag, s.id)) === null);
    expect(await cardsOf(`specialty=${tag}&freeWithinDays=60`)).toEqual([]);
    const bad = await api('GET', `/api/specialists?freeWithinDays=0`);
    expect(bad.status, show(bad)).toBe(400);
  });

  it('the cron recomputes the next free slots the clock has overtaken, several in one pass', async () => {
    const tag = tagOf();
    const [s, t] = await Promise.all([
      listedSpecialist({ specialties: [tag] }),
      listedSpecialist({ specialties: [tag], timeZone: 'Europe/Berlin' }),
    ]);
    const nowS = await waitFor('a next free slot', async () => nextFreeOf(tag, s.id));
    const nowT = await waitFor('a next free slot', async () => nextFreeOf(tag, t.id));
    // t also loses its hours: the batch stores a null for it beside s's time.
    await db().delete(availabilityRules).where(eq(availabilityRules.specialistId, t.id));
    await db()
      .update(specialists)
      .set({ nextFreeAt: new Date(Date.now() - H), nextFreeCheckedAt: new Date(Date.now() - 2 * H) })
      .where(inArray(specialists.id, [s.id, t.id]));
    expect(await refreshStaleNextFree(testCtx(), { among: [s.id, t.id] })).toBe(2);
    const rows = await db()
      .select()
      .from(specialists)
      .where(inArray(specialists.id, [s.id, t.id]));
    const at = (id: string) => rows.find((r) => r.id === id)!.nextFreeAt?.toISOString() ?? null;
    expect(at(s.id)).toBe(nowS);
    expect(nowT).not.toBeNull();
    expect(at(t.id)).toBeNull();
    // Both rows were checked by the same pass; a second pass finds nothing due.
    expect(new Set(rows.map((r) => r.nextFreeCheckedAt?.toISOString())).size).toBe(1);
    expect(await refreshStaleNextFree(testCtx(), { among: [s.id, t.id] })).toBe(0);
  });
});

describe('consultations — the directory by next free time', () => {
  const tagOf = () => `ns_${Math.random().toString(36).slice(2, 8)}`.replace(/[0-9]/g, 'z');
  const ids = (page: { items: { id: string }[] }) => page.items.map((x) => x.id);
  /** Every page of a query, following the cursors (at most 20 pages). */
  async function allPages(query: string, limit: number): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) {
      const page = await expectOk(
        api('GET', `/api/specialists?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
      );
      out.push(...ids(page));
      cursor = page.nextCursor;
      if (!cursor) return out;
    }
    throw new Error('more than 20 pages');
  }
  /**
   * Five listed specialists with next free times set by hand: b and c tie (the id decides), a
   * later, d and e have none. Checked a day ahead, so no refresh overwrites them during the test.
   */
  async function fixture() {
    const tag = tagOf();
    const [a, b, c, d, e] = await Promise.all([
      listedSpecialist({ specialties: [tag], languages: ['kk'], price: 900000 }),
      listedSpecialist({ specialties: [tag], languages: ['ru'] }),
      listedSpecialist({ specialties: [tag], languages: ['ru', 'kk'] }),
      listedSpecialist({ specialties: [tag], languages: ['ru'] }),
      listedSpecialist({ specialties: [tag], languages: ['kk'] }),
    ]);
    // The refreshes the fixtures started run after their responses: let them land first.
    await waitFor("the fixtures' next free slots", async () => {
      const rows = await db()
        .select({ at: specialists.nextFreeCheckedAt })
        .from(specialists)
        .where(
          inArray(
            specialists.id,
            [a, b, c, d, e].map((x) => x.id),
          ),
        );
      return rows.every((r) => r.at !== null);
    });
    const soon = new Date(Date.now() + 20 * H);
    const set = (id: string, nextFreeAt: Date | null) =>
      db()
        .update(specialists)
        .set({ nextFreeAt, nextFreeCheckedAt: new Date(Date.now() + 24 * H) })
        .where(eq(specialists.id, id));
    await Promise.all([set(a.id, new Date(Date.now() + 50 * H)), set(b.id, soon), set(c.id, soon), set(d.id, null), set(e.id, null)]);
    // A profile change moves the directory's cache generation (nothing else here does).
    await expectOk(api('POST', `/api/admin/specialists/${a.id}/verify`, { token: (await createAdmin()).token, body: { verified: true } }));
    const byId = (x: SpecialistFixture, y: SpecialistFixture) => (x.id < y.id ? [x.id, y.id] : [y.id, x.id]);
    return { tag, a, b, c, d, e, tie: byId(b, c), none: byId(d, e) };
  }

  it('sorts soonest first, the ones with no free slot last, and pages through that order with cursors of any size', async () => {
    const f = await fixture();
    const expected = [...f.tie, f.a.id, ...f.none];
    const first = await expectOk(api('GET', `/api/specialists?specialty=${f.tag}&sort=next_free`));
    expect(ids(first)).toEqual(expected);
    expect(first.items.map((x: { nextFreeAt: string | null }) => x.nextFreeAt !== null)).toEqual([true, true, true, false, false]);
    // Page boundaries inside the tie, between a time and a null, and between two nulls.
    for (const limit of [1, 2, 3, 4])
      expect(await allPages(`specialty=${f.tag}&sort=next_free`, limit), `limit ${limit}`).toEqual(expected);
    // The default order is unchanged: newest first.
    expect(await allPages(`specialty=${f.tag}`, 2)).toEqual(await allPages(`specialty=${f.tag}&sort=newest`, 5));
  });

  it('combines the order with the filters', async () => {
    const f = await fixture();
    expect(await allPages(`specialty=${f.tag}&sort=next_free&freeWithinDays=1`, 1)).toEqual(f.tie);
    expect(await allPages(`specialty=${f.tag}&sort=next_free&freeWithinDays=3`, 2)).toEqual([...f.tie, f.a.id]);
    const kk = [f.c.id, f.a.id, f.e.id];
    expect(await allPages(`specialty=${f.tag}&sort=next_free&language=kk`, 1)).toEqual(kk);
    // Every fixture has a free type, so a price filter of 0 keeps the Russian-speaking three, in order.
    expect(await allPages(`specialty=${f.tag}&sort=next_free&maxPrice=0&language=ru`, 2)).toEqual([...f.tie, f.d.id]);
  });

  it('a bad sort value or a cursor of the other order is a clear 400', async () => {
    const f = await fixture();
    const bad = await api('GET', `/api/specialists?specialty=${f.tag}&sort=soonest`);
    expect(bad.status, show(bad)).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(Object.keys(bad.body.error.details.fields)).toEqual(['sort']);
    const newest = await expectOk(api('GET', `/api/specialists?specialty=${f.tag}&limit=1`));
    const soonest = await expectOk(api('GET', `/api/specialists?specialty=${f.tag}&limit=1&sort=next_free`));
    for (const [sort, cursor] of [
      ['next_free', newest.nextCursor],
      ['newest', soonest.nextCursor],
    ]) {
      const res = await api('GET', `/api/specialists?specialty=${f.tag}&limit=1&sort=${sort}&cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, show(res)).toBe(400);
      expect(res.body.error.code).toBe('invalid_cursor');
    }
  });
});

describe('consultations — session types', () => {
  type Type = { id: string; durationMinutes: number; price: { amount: number; currency: string } };
  const shape = (types: Type[]) => types.map((t) => `${t.durationMinutes} ${t.price.amount} ${t.price.currency}`);

  it('every type can be changed, added or removed; a booked type that is no longer offered keeps its booking', async () => {
    const s = await listedSpecialist();
    const u = await registerUser();
    const slot = (await slotsOf(s, s.freeType))[0]!;
    const booked = await expectOk(bookSlot(u, s, slot, { typeId: s.freeType }), 201);
    const own = await expectOk(api('GET', '/api/specialist/profile', { token: s.user.token }));
    const { id: _id, name: _n, bio: _b, sessionTypes: _t, rating: _r, verified: _v, nextFreeAt: _f, bios, ...rest } = own;
    const save = (sessionTypes: unknown[]) =>
      api('PUT', '/api/specialist/profile', { token: s.user.token, body: { ...rest, bio: bios, sessionTypes } });
    const after = await expectOk(
      save([
        { durationMinutes: 45, price: { amount: 0, currency: 'KZT' } },
        { durationMinutes: 60, price: { amount: 700000, currency: 'KZT' } },
        { durationMinutes: 90, price: { amount: 150000, currency: 'RUB' } },
      ]),
    );
    expect(shape(after.sessionTypes)).toEqual(['45 0 KZT', '60 700000 KZT', '90 150000 RUB']);
    // The 30-min free type is gone from the profile and the slots; its booking stays as it was.
    expect(after.sessionTypes.map((t: Type) => t.id)).not.toContain(s.freeType);
    expect((await api('GET', `/api/specialists/${s.id}/slots?sessionTypeId=${s.freeType}&from=2030-01-01&to=2030-01-02`)).status).toBe(404);
    const kept = await expectOk(api('GET', `/api/bookings/${booked.booking.id}`, { token: u.token }));
    expect(kept).toMatchObject({ status: 'confirmed', sessionTypeId: s.freeType, durationMinutes: 30 });
    // Down to one type: the others are no longer offered.
    const one = await expectOk(save([{ durationMinutes: 90, price: { amount: 150000, currency: 'RUB' } }]));
    expect(shape(one.sessionTypes)).toEqual(['90 150000 RUB']);
    expect(one.sessionTypes[0].id).toBe(after.sessionTypes[2].id);
  });

  it('two equal types, none at all, or more than six are refused with the field named, and nothing changes', async () => {
    const s = await listedSpecialist();
    const body = (sessionTypes: unknown[]) => ({ bio: { ru: 'x' }, languages: ['ru'], specialties: ['psychologist'], sessionTypes });
    const t = (durationMinutes: number, amount = 0, currency = 'KZT') => ({ durationMinutes, price: { amount, currency } });
    for (const [types, field] of [
      [[t(60, 500000), t(30), t(60, 500000)], 'sessionTypes.2'],
      [[], 'sessionTypes'],
      [[t(15), t(30), t(45), t(60), t(75), t(90), t(105)], 'sessionTypes'],
      [[t(60, 100, 'EUR')], 'sessionTypes.0.price.currency'],
    ] as const) {
      const res = await api('PUT', '/api/specialist/profile', { token: s.user.token, body: body([...types]) });
      expect(res.status, show(res)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(Object.keys(res.body.error.details.fields)).toEqual([field]);
    }
    const own = await expectOk(api('GET', '/api/specialist/profile', { token: s.user.token }));
    expect(own.sessionTypes.map((x: Type) => x.id).sort()).toEqual([s.paidType, s.freeType].sort());
  });
});

describe('consultations — admin verification of specialists', () => {
  it('lists pending profiles with the email; listing one moves it to "listed"; only admins see the queue', async () => {
    const teacher = await verifiedTeacher();
    const profile = await api('PUT', '/api/specialist/profile', {
      token: teacher.token,
      body: {
        bio: { ru: 'Логопед' },
        languages: ['ru'],
        specialties: ['speech_therapist'],
        sessionTypes: [{ durationMinutes: 45, price: { amount: 0, currency: 'KZT' } }],
      },
    });
    expect(profile.status, show(profile)).toBe(200);
    expect(profile.body.verified).toBe(false);
    // Its owner gets every language's bio back (the editor keeps them), the public one language.
    expect(profile.body.bios).toEqual({ ru: 'Логопед' });
    expect((await expectOk(api('GET', '/api/specialist/profile', { token: teacher.token }))).bios).toEqual({ ru: 'Логопед' });
    const admin = await createAdmin();
    const ids = async (status: string) =>
      (await expectOk(api('GET', `/api/admin/specialists?status=${status}&limit=100`, { token: admin.token }))).items as {
        id: string;
        email: string;
        verified: boolean;
      }[];
    const pending = (await ids('pending')).find((x) => x.id === teacher.id);
    expect(pending).toMatchObject({ email: teacher.email, verified: false });
    expect((await api('GET', `/api/specialists/${teacher.id}`)).status).toBe(404);
    await expectOk(api('POST', `/api/admin/specialists/${teacher.id}/verify`, { token: admin.token, body: { verified: true } }));
    expect((await ids('pending')).some((x) => x.id === teacher.id)).toBe(false);
    expect((await ids('listed')).some((x) => x.id === teacher.id)).toBe(true);
    const listed = await expectOk(api('GET', `/api/specialists/${teacher.id}`));
    expect(listed.bios).toBeUndefined();
    expect((await api('GET', '/api/admin/specialists', { token: teacher.token })).status).toBe(403);
    expect((await api('GET', '/api/admin/specialists')).status).toBe(401);
  });
});

describe('consultations — booking', () => {
  it('a free session is confirmed at once; the specialist hears of it; both see it in their lists', async () => {
    const s = await listedSpecialist();
    const { parent, childId } = await parentWithChild();
    const slot = (await slotsOf(s, s.freeType))[0]!;
    const r = await expectOk(bookSlot(parent, s, slot, { typeId: s.freeType, childId }), 201);
    expect(r.payment).toBeNull();
    expect(r.booking).toMatchObject({ status: 'confirmed', startsAt: slot, child: { id: childId }, price: { amount: 0 } });
    expect((await bookingNotes(s.id)).map((n) => n.data.event)).toEqual(['new']);
    const mine = await expectOk(api('GET', '/api/bookings', { token: parent.token }));
    expect(mine.items.map((b: { id: string }) => b.id)).toEqual([r.booking.id]);
    const schedule = await expectOk(api('GET', '/api/specialist/schedule', { token: s.user.token }));
    expect(schedule.items.map((b: { id: string }) => b.id)).toEqual([r.booking.id]);
    expect((await api('GET', `/api/bookings/${r.booking.id}`, { token: (await registerUser()).token })).status).toBe(404);
  });

  it('100 parallel attempts at one slot → exactly one booking', async () => {
    const s = await listedSpecialist();
    const slot = (await slotsOf(s, s.freeType))[3]!;
    // The race is the database's to settle: 100 clients (inserted directly, registration is not
    // what is tested) call the booking operation at once, each on its own connection — the
    // HTTP front would shed most of them as overload before they reached Postgres.
    const clients = await db()
      .insert(users)
      .values(
        Array.from({ length: 100 }, (_, i) => ({
          email: `race.${crypto.randomUUID()}.${i}@example.test`,
          passwordHash: 'x',
          name: `Racer ${i}`,
          role: 'learner' as const,
        })),
      )
      .returning({ id: users.id });
    const input = { specialistId: s.id, sessionTypeId: s.freeType, startsAt: slot, lang: 'ru' as const };
    // The isolate's Postgres bulkhead (32 round trips in flight) turns some of 100 simultaneous
    // calls away as "busy" on a loaded machine: nothing was written, so such an attempt retries.
    const attempt = async (clientId: string) => {
      for (let i = 0; ; i++) {
        try {
          return await book(testCtx(), { id: clientId, role: 'learner', sessionId: 'race' }, input);
        } catch (err) {
          if (i < 20 && isDatabaseUnavailable(err)) await sleep(50 + Math.random() * 200);
          else throw err;
        }
      }
    };
    const results = await Promise.allSettled(clients.map((c) => attempt(c.id)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as AppError).code ?? String(r.reason)] : []));
    expect(
      codes.filter((c) => c !== 'slot_taken'),
      codes.join(','),
    ).toEqual([]);
    const rows = await db()
      .select()
      .from(bookings)
      .where(and(eq(bookings.specialistId, s.id), inArray(bookings.status, ['hold', 'confirmed'])));
    expect(rows).toHaveLength(1);
    // Over HTTP too: a second client for the same time is refused with the stable code.
    const late = await bookSlot(await registerUser(), s, slot, { typeId: s.freeType });
    expect(late.status, show(late)).toBe(409);
    expect(late.body.error.code).toBe('slot_taken');
  });

  it('paid: the slot is held with a checkout; the test card pays; the webhook confirms it once, duplicates change nothing', async () => {
    const h = await heldBooking();
    expect(h.booking).toMatchObject({ status: 'hold', price: { amount: 500000, currency: 'KZT' } });
    expect(Date.parse(h.booking.holdExpiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(h.body.payment.checkoutUrl).toMatch(/^\/api\/mock-pay\/checkout\//);
    // While held, nobody else gets the slot.
    const other = await registerUser();
    expect((await bookSlot(other, h.s, h.slot)).body.error.code).toBe('slot_taken');
    // Ten shuffled deliveries of "succeeded" at once.
    const e = event(h.payment, 'succeeded');
    const results = await Promise.all(
      [...Array(5).fill(e), ...Array.from({ length: 5 }, () => event(h.payment, 'succeeded'))].map(deliver),
    );
    for (const r of results) expect(r.status, show(r)).toBe(200);
    expect(results.filter((r) => r.body.outcome === 'applied')).toHaveLength(1);
    const row = await bookingRow(h.booking.id);
    expect(row).toMatchObject({ status: 'confirmed', paymentId: h.payment.id, holdExpiresAt: null });
    expect((await bookingNotes(h.s.id)).map((n) => n.data.event)).toEqual(['new']);
    expect((await bookingNotes(h.parent.id)).map((n) => n.data.event)).toEqual(['confirmed']);
  });

  it('a declined card releases the hold at once', async () => {
    const h = await heldBooking();
    await deliver(event(h.payment, 'failed'));
    expect((await bookingRow(h.booking.id)).status).toBe('expired');
    expect(await slotsOf(h.s, h.s.paidType)).toContain(h.slot);
  });

  it('an expired hold is released by the cron, and does not block a new booking even before the cron runs', async () => {
    const s = await listedSpecialist();
    const h1 = await heldBooking(s, 0);
    expect(await expireHolds(ctxAt(Date.now() + 16 * 60_000))).toBeGreaterThanOrEqual(1);
    expect((await bookingRow(h1.booking.id)).status).toBe('expired');
    const again = await registerUser();
    await expectOk(bookSlot(again, s, h1.slot), 201);

    // Lazily: a lapsed hold the cron has not swept yet.
    const h2 = await heldBooking(s, 2);
    await db()
      .update(bookings)
      .set({ holdExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(bookings.id, h2.booking.id));
    const late = await registerUser();
    const r = await expectOk(bookSlot(late, s, h2.slot), 201);
    expect(r.booking.status).toBe('hold');
    expect((await bookingRow(h2.booking.id)).status).toBe('expired');
    // Its checkout can no longer be paid for... and a payment that lands anyway is refunded, the slot kept by the new client.
    await deliver(event(h2.payment, 'succeeded'));
    const lost = await bookingRow(h2.booking.id);
    expect(lost).toMatchObject({ status: 'cancelled', cancelledBy: 'system', refund: 'pending' });
    expect((await bookingRow(r.booking.id)).status).toBe('hold');
  });

  it('a loser answered from the cached slots never outlives the hold it counted: once that hold lapses, the slot is bookable', async () => {
    const s = await listedSpecialist();
    const h = await heldBooking(s, 0);
    // The hold lapses in a moment (set directly: nothing bumps the slots generation).
    await db()
      .update(bookings)
      .set({ holdExpiresAt: new Date(Date.now() + 1500) })
      .where(eq(bookings.id, h.booking.id));
    const before = await db().select().from(bookings).where(eq(bookings.specialistId, s.id));
    // While it holds: taken, from the cached check (and nothing written for the attempt).
    const loser = await bookSlot(await registerUser(), s, h.slot);
    expect(loser.status, show(loser)).toBe(409);
    expect(loser.body.error.code).toBe('slot_taken');
    expect(await db().select().from(bookings).where(eq(bookings.specialistId, s.id))).toHaveLength(before.length);
    // The holder's own retry still gets its booking back.
    const own = await bookSlot(h.parent, s, h.slot, { childId: h.childId });
    expect(own.status, show(own)).toBe(200);
    expect(own.body.booking.id).toBe(h.booking.id);
    await sleep(1700);
    const next = await bookSlot(await registerUser(), s, h.slot);
    expect(next.status, show(next)).toBe(201);
    expect((await bookingRow(h.booking.id)).status).toBe('expired');
  });

  it('refunds at the 24-hour edge: a client cancelling exactly 24 h before is refunded, a millisecond later is not', async () => {
    const s = await listedSpecialist();
    const a = await heldBooking(s, 0);
    const b = await heldBooking(s, 2);
    await payHeld(a);
    await payHeld(b);
    const startsA = Date.parse(a.slot);
    const ca = await cancelBooking(ctxAt(startsA - 24 * H), actorOf(a.parent), a.booking.id);
    expect(ca).toMatchObject({ status: 'cancelled', cancelledBy: 'client' });
    await waitFor('refund A', async () => (await bookingRow(a.booking.id)).refund === 'done');
    const [pa] = await db().select().from(payments).where(eq(payments.id, a.payment.id));
    expect(pa!.status).toBe('refunded');

    const startsB = Date.parse(b.slot);
    const cb = await cancelBooking(ctxAt(startsB - 24 * H + 1), actorOf(b.parent), b.booking.id);
    expect(cb).toMatchObject({ status: 'cancelled', refund: 'none' });
    const [pb] = await db().select().from(payments).where(eq(payments.id, b.payment.id));
    expect(pb!.status).toBe('succeeded');
    // The specialist was told of both.
    expect((await bookingNotes(s.id)).filter((n) => n.data.event === 'cancelled')).toHaveLength(2);
  });

  it('a specialist cancelling always refunds in full, even an hour before', async () => {
    const h = await heldBooking();
    await payHeld(h);
    const c = await cancelBooking(ctxAt(Date.parse(h.slot) - H), actorOf(h.s.user), h.booking.id);
    expect(c).toMatchObject({ status: 'cancelled', cancelledBy: 'specialist' });
    await waitFor('refund', async () => (await bookingRow(h.booking.id)).refund === 'done');
    expect((await bookingNotes(h.parent.id)).map((n) => n.data.event)).toContain('cancelled');
  });

  it('reschedule is atomic: a taken slot changes nothing (409), a free one moves it; a cancelled booking cannot move', async () => {
    const s = await listedSpecialist();
    const slots = await slotsOf(s, s.freeType);
    const u1 = await registerUser();
    const u2 = await registerUser();
    const b1 = (await expectOk(bookSlot(u1, s, slots[0]!, { typeId: s.freeType }), 201)).booking;
    const b2 = (await expectOk(bookSlot(u2, s, slots[2]!, { typeId: s.freeType }), 201)).booking;
    const taken = await api('POST', `/api/bookings/${b1.id}/reschedule`, { token: u1.token, body: { startsAt: slots[2] } });
    expect(taken.status, show(taken)).toBe(409);
    expect(taken.body.error.code).toBe('slot_taken');
    expect((await bookingRow(b1.id)).startsAt.toISOString()).toBe(slots[0]);
    const moved = await expectOk(api('POST', `/api/bookings/${b1.id}/reschedule`, { token: u1.token, body: { startsAt: slots[4] } }));
    expect(moved.startsAt).toBe(slots[4]);
    // The old time is free again.
    expect(await slotsOf(s, s.freeType)).toContain(slots[0]);
    await expectOk(api('POST', `/api/bookings/${b2.id}/cancel`, { token: u2.token }));
    const r = await api('POST', `/api/bookings/${b2.id}/reschedule`, { token: u2.token, body: { startsAt: slots[6] } });
    expect(r.status, show(r)).toBe(409);
  });

  it('after the session: held + note for the parent only; one review; no-show', async () => {
    const s = await listedSpecialist();
    const { parent, childId } = await parentWithChild();
    const slot = (await slotsOf(s, s.freeType))[0]!;
    const b = (await expectOk(bookSlot(parent, s, slot, { typeId: s.freeType, childId }), 201)).booking;
    const early = await api('POST', `/api/bookings/${b.id}/outcome`, { token: s.user.token, body: { outcome: 'completed' } });
    expect(early.status, show(early)).toBe(409);
    // Move it into the past as if the session had happened.
    await db()
      .update(bookings)
      .set({ startsAt: new Date(Date.now() - 2 * H), endsAt: new Date(Date.now() - H), occupiedUntil: new Date(Date.now() - H) })
      .where(eq(bookings.id, b.id));
    const other = await listedSpecialist();
    expect((await api('POST', `/api/bookings/${b.id}/outcome`, { token: other.user.token, body: { outcome: 'completed' } })).status).toBe(
      404,
    );
    await expectOk(
      api('POST', `/api/bookings/${b.id}/outcome`, { token: s.user.token, body: { outcome: 'completed', note: 'Упражнения на дом' } }),
    );
    const seen = await expectOk(api('GET', `/api/bookings/${b.id}`, { token: parent.token }));
    expect(seen.note).toBe('Упражнения на дом');
    expect((await api('GET', `/api/bookings/${b.id}`, { token: (await registerUser('parent')).token })).status).toBe(404);
    const reviews = await Promise.all(
      [5, 4, 3].map((rating) => api('POST', `/api/bookings/${b.id}/review`, { token: parent.token, body: { rating } })),
    );
    expect(reviews.filter((r) => r.status === 200)).toHaveLength(1);
    expect(reviews.filter((r) => r.status === 409)).toHaveLength(2);
    const profile = await expectOk(api('GET', `/api/specialists/${s.id}`));
    expect(profile.rating.count).toBe(1);
  });
});

describe('consultations — reminders', () => {
  /** A confirmed booking inserted at a fixed time, as the booking path would have stored it. */
  async function confirmedAt(timeZone: string, startsAt: string) {
    const s = await listedSpecialist({ timeZone });
    const client = await registerUser();
    const start = new Date(startsAt);
    const [row] = await db()
      .insert(bookings)
      .values({
        specialistId: s.id,
        clientId: client.id,
        sessionTypeId: s.freeType,
        startsAt: start,
        endsAt: new Date(start.getTime() + 30 * 60_000),
        occupiedUntil: new Date(start.getTime() + 40 * 60_000),
        status: 'confirmed',
        amount: 0,
        currency: 'KZT',
      })
      .returning();
    return { s, client, booking: row! };
  }

  it.each([
    // 10:00 CEST on the day Berlin moves to summer time: 08:00Z; 24 h before is 09:00 CET the day before.
    { zone: 'Europe/Berlin', startsAt: '2027-03-28T08:00:00.000Z', local: '2027-03-28 10:00' },
    { zone: 'Asia/Almaty', startsAt: '2027-03-28T05:00:00.000Z', local: '2027-03-28 10:00' },
  ])('$zone: 24 h and 1 h reminders, each once, even when the cron runs twice or late', async ({ zone, startsAt, local }) => {
    const { s, client, booking } = await confirmedAt(zone, startsAt);
    const start = Date.parse(startsAt);
    const events = async () => (await bookingNotes(client.id)).map((n) => n.data.event).sort();
    await sendReminders(ctxAt(start - 24 * H - 60_000));
    expect(await events()).toEqual([]);
    // Twice at once, then again late.
    await Promise.all([sendReminders(ctxAt(start - 24 * H + 60_000)), sendReminders(ctxAt(start - 24 * H + 60_000))]);
    await sendReminders(ctxAt(start - 3 * H));
    expect(await events()).toEqual(['reminder_24h']);
    const [note] = await bookingNotes(client.id);
    expect(note!.data).toMatchObject({ bookingId: booking.id, local, timeZone: zone, startsAt });
    await Promise.all([sendReminders(ctxAt(start - 30 * 60_000)), sendReminders(ctxAt(start - 30 * 60_000))]);
    await sendReminders(ctxAt(start - 5 * 60_000));
    expect(await events()).toEqual(['reminder_1h', 'reminder_24h']);
    expect((await bookingNotes(s.id)).map((n) => n.data.event).sort()).toEqual(['reminder_1h', 'reminder_24h']);
  });
});

describe('consultations — bad input', () => {
  it('answers each with a clear error and writes nothing', async () => {
    const s = await listedSpecialist();
    const { parent, childId } = await parentWithChild();
    const stranger = await parentWithChild();
    const slots = await slotsOf(s, s.paidType);
    const freeSlots = await slotsOf(s, s.freeType);
    const countOf = async () => (await db().select().from(bookings).where(eq(bookings.specialistId, s.id))).length;
    const before = await countOf();
    const cases: { name: string; run: () => Promise<ApiResponse>; status: number; code: string; reason?: string }[] = [
      {
        name: 'a slot outside the hours (03:00 local)',
        run: () => bookSlot(parent, s, new Date(Date.parse(`${slots[0]!.slice(0, 10)}T22:00:00Z`)).toISOString()),
        status: 400,
        code: 'slot_unavailable',
        reason: 'outside_availability',
      },
      {
        name: 'a slot not on the grid (09:05)',
        run: () => bookSlot(parent, s, new Date(Date.parse(slots[0]!) + 5 * 60_000).toISOString()),
        status: 400,
        code: 'slot_unavailable',
        reason: 'outside_availability',
      },
      { name: 'the past', run: () => bookSlot(parent, s, '2026-01-05T04:00:00Z'), status: 400, code: 'slot_unavailable', reason: 'past' },
      {
        name: 'closer than 12 h',
        run: () => bookSlot(parent, s, new Date(Date.now() + 2 * H).toISOString()),
        status: 400,
        code: 'slot_unavailable',
        reason: 'too_soon',
      },
      {
        name: 'beyond 60 days',
        run: () => bookSlot(parent, s, new Date(Date.now() + 70 * 24 * H).toISOString()),
        status: 400,
        code: 'slot_unavailable',
        reason: 'beyond_horizon',
      },
      {
        name: "someone else's child",
        run: () => bookSlot(parent, s, slots[0]!, { childId: stranger.childId }),
        status: 404,
        code: 'not_found',
      },
      {
        name: 'an unknown specialist',
        run: () => bookSlot(parent, { ...s, id: crypto.randomUUID() }, slots[0]!),
        status: 404,
        code: 'not_found',
      },
      { name: 'a malformed time', run: () => bookSlot(parent, s, 'tomorrow at ten'), status: 400, code: 'validation_failed' },
      {
        name: 'overlapping availability rules',
        run: () =>
          api('PUT', '/api/specialist/availability', {
            token: s.user.token,
            body: {
              rules: [
                { weekday: 1, startMinute: 540, endMinute: 720 },
                { weekday: 1, startMinute: 700, endMinute: 800 },
              ],
              exceptions: [],
            },
          }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'an unknown time zone',
        run: () =>
          api('PUT', '/api/specialist/profile', {
            token: s.user.token,
            body: {
              bio: {},
              languages: ['ru'],
              specialties: ['psychologist'],
              timeZone: 'Mars/Olympus_Mons',
              sessionTypes: [{ durationMinutes: 60, price: { amount: 1000, currency: 'KZT' } }],
            },
          }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'a learner writing a specialist profile',
        run: () => api('PUT', '/api/specialist/availability', { token: parent.token, body: { rules: [], exceptions: [] } }),
        status: 403,
        code: 'forbidden',
      },
    ];
    for (const c of cases) {
      const r = await c.run();
      expect(r.status, `${c.name}: ${show(r)}`).toBe(c.status);
      expect(r.body.error.code, c.name).toBe(c.code);
      if (c.reason) expect(r.body.error.details.reason, c.name).toBe(c.reason);
    }
    expect(await countOf()).toBe(before);
    // The hours are unchanged by the refused update.
    expect((await expectOk(api('GET', '/api/specialist/availability', { token: s.user.token }))).rules).toHaveLength(7);

    // Someone else's booking: 404 to cancel or move; a cancelled one: 409 to move.
    const mine = (await expectOk(bookSlot(parent, s, freeSlots[1]!, { typeId: s.freeType, childId }), 201)).booking;
    expect((await api('POST', `/api/bookings/${mine.id}/cancel`, { token: stranger.parent.token })).status).toBe(404);
    expect(
      (await api('POST', `/api/bookings/${mine.id}/reschedule`, { token: stranger.parent.token, body: { startsAt: freeSlots[3] } })).status,
    ).toBe(404);
    expect((await bookingRow(mine.id)).status).toBe('confirmed');
    await expectOk(api('POST', `/api/bookings/${mine.id}/cancel`, { token: parent.token }));
    const moved = await api('POST', `/api/bookings/${mine.id}/reschedule`, { token: parent.token, body: { startsAt: freeSlots[3] } });
    expect(moved.status, show(moved)).toBe(409);
    expect(moved.body.error.details.reason).toBe('not_reschedulable');
  });
});
