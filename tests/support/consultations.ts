/** Fixtures for consultation tests: a listed specialist with hours, and booking helpers. */
import { api, show } from './http.ts';
import { createAdmin, registerUser, verifiedTeacher, type TestUser } from './users.ts';

export interface SpecialistFixture {
  user: TestUser;
  id: string;
  timeZone: string;
  /** Session type ids by price: paid (KZT 5,000.00) and free. */
  paidType: string;
  freeType: string;
}

let admin: TestUser | undefined;

/** A verified teacher with a listed profile, hours 09:00–18:00 every day in its zone, and a paid and a free 60-min type. */
export async function listedSpecialist(
  opts: { timeZone?: string; specialties?: string[]; languages?: string[]; bufferMinutes?: number; price?: number } = {},
): Promise<SpecialistFixture> {
  const user = await verifiedTeacher();
  const timeZone = opts.timeZone ?? 'Asia/Almaty';
  const profile = await api('PUT', '/api/specialist/profile', {
    token: user.token,
    body: {
      bio: { ru: 'Детский психолог', en: 'Child psychologist' },
      languages: opts.languages ?? ['ru', 'kk'],
      specialties: opts.specialties ?? ['psychologist'],
      timeZone,
      bufferMinutes: opts.bufferMinutes ?? 10,
      sessionTypes: [
        { durationMinutes: 60, price: { amount: opts.price ?? 500000, currency: 'KZT' } },
        { durationMinutes: 30, price: { amount: 0, currency: 'KZT' } },
      ],
    },
  });
  if (profile.status !== 200) throw new Error(`profile: ${show(profile)}`);
  const rules = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, startMinute: 9 * 60, endMinute: 18 * 60 }));
  const av = await api('PUT', '/api/specialist/availability', { token: user.token, body: { rules, exceptions: [] } });
  if (av.status !== 200) throw new Error(`availability: ${show(av)}`);
  admin ??= await createAdmin();
  const v = await api('POST', `/api/admin/specialists/${user.id}/verify`, { token: admin.token, body: { verified: true } });
  if (v.status !== 200) throw new Error(`verify: ${show(v)}`);
  const types = v.body.sessionTypes as { id: string; price: { amount: number } }[];
  return {
    user,
    id: user.id,
    timeZone,
    paidType: types.find((t) => t.price.amount > 0)!.id,
    freeType: types.find((t) => t.price.amount === 0)!.id,
  };
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** Free slots from two to six days ahead (clear of the 12-hour notice). */
export async function slotsOf(s: SpecialistFixture, typeId: string, fromDay = 2, toDay = 6): Promise<string[]> {
  const res = await api('GET', `/api/specialists/${s.id}/slots?sessionTypeId=${typeId}&from=${day(fromDay)}&to=${day(toDay)}`);
  if (res.status !== 200) throw new Error(`slots: ${show(res)}`);
  return (res.body.slots as { startsAt: string }[]).map((x) => x.startsAt);
}

export async function parentWithChild(): Promise<{ parent: TestUser; childId: string }> {
  const parent = await registerUser('parent');
  const c = await api('POST', '/api/me/children', { token: parent.token, body: { name: 'Алия', birthYear: 2018 } });
  if (c.status !== 201) throw new Error(`child: ${show(c)}`);
  return { parent, childId: c.body.id ?? c.body.child?.id };
}

export const bookSlot = (u: TestUser, s: SpecialistFixture, startsAt: string, extra: { typeId?: string; childId?: string } = {}) =>
  api('POST', '/api/bookings', {
    token: u.token,
    body: { specialistId: s.id, sessionTypeId: extra.typeId ?? s.paidType, startsAt, ...(extra.childId ? { childId: extra.childId } : {}) },
  });
