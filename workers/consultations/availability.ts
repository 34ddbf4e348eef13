/** Loading what slot generation needs, and the cached free slots of a date range. */
import { and, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { availabilityExceptions, availabilityRules, bookings, sessionTypes, specialists } from '../../db/schema/index.ts';
import { isId, type Ctx } from '../lib/context.ts';
import { AppError, notFound, validationError } from '../lib/errors.ts';
import type { FreeSlots, SlotsQuery } from './schemas.ts';
import { gens } from './specialists.ts';
import { MAX_RANGE_DAYS, generateSlots, timingProblem, type Busy, type SlotPlan } from './slots.ts';
import { addDays, localDate } from './zones.ts';

export interface SlotSubject {
  specialistId: string;
  timeZone: string;
  bufferMinutes: number;
  sessionTypeId: string;
  durationMinutes: number;
  amount: number;
  currency: string;
}

/** A listed specialist and one of their offered session types, or 404. */
export async function loadSubject(ctx: Ctx, specialistId: string, sessionTypeId: string): Promise<SlotSubject> {
  if (!isId(specialistId)) throw notFound('Specialist');
  if (!isId(sessionTypeId)) throw notFound('Session type');
  const [row] = await ctx.services.db.db
    .select({
      timeZone: specialists.timeZone,
      bufferMinutes: specialists.bufferMinutes,
      durationMinutes: sessionTypes.durationMinutes,
      amount: sessionTypes.priceAmount,
      currency: sessionTypes.currency,
      active: sessionTypes.active,
    })
    .from(specialists)
    .leftJoin(sessionTypes, and(eq(sessionTypes.specialistId, specialists.id), eq(sessionTypes.id, sessionTypeId)))
    .where(and(eq(specialists.id, specialistId), eq(specialists.verified, true)));
  if (!row) throw notFound('Specialist');
  if (row.durationMinutes === null || !row.active) throw notFound('Session type');
  return {
    specialistId,
    sessionTypeId,
    timeZone: row.timeZone,
    bufferMinutes: row.bufferMinutes,
    durationMinutes: row.durationMinutes,
    amount: row.amount!,
    currency: row.currency!,
  };
}

/** What slot generation needs of one specialist, whatever the session type. */
export interface PlanParts {
  rules: SlotPlan['rules'];
  exceptions: SlotPlan['exceptions'];
  busy: Busy[];
}

/**
 * The queries loading the rules, the exceptions of the local dates from..to and (optionally)
 * the live bookings around them, for one `db.batch` (a caller may add its own queries). Given
 * several specialists, one query of each kind covers them all (each row names its specialist).
 */
export function planQueries(ctx: Ctx, specialistId: string | string[], from: string, to: string, withBusy: boolean) {
  const db = ctx.services.db.db;
  const of = (column: PgColumn) => (typeof specialistId === 'string' ? eq(column, specialistId) : inArray(column, specialistId));
  // Bookings are instants; the local dates may be up to 14 h away from UTC on either side.
  const lo = new Date(`${addDays(from, -1)}T00:00:00Z`);
  const hi = new Date(`${addDays(to, 2)}T00:00:00Z`);
  return [
    db
      .select({
        specialistId: availabilityRules.specialistId,
        weekday: availabilityRules.weekday,
        startMinute: availabilityRules.startMinute,
        endMinute: availabilityRules.endMinute,
      })
      .from(availabilityRules)
      .where(of(availabilityRules.specialistId)),
    db
      .select({
        specialistId: availabilityExceptions.specialistId,
        date: availabilityExceptions.date,
        kind: availabilityExceptions.kind,
        startMinute: availabilityExceptions.startMinute,
        endMinute: availabilityExceptions.endMinute,
      })
      .from(availabilityExceptions)
      .where(and(of(availabilityExceptions.specialistId), gte(availabilityExceptions.date, from), lte(availabilityExceptions.date, to))),
    db
      .select({ specialistId: bookings.specialistId, start: bookings.startsAt, end: bookings.occupiedUntil })
      .from(bookings)
      .where(
        and(
          of(bookings.specialistId),
          withBusy ? sql`true` : sql`false`,
          // An expired hold no longer counts, swept or not.
          sql`(${bookings.status} = 'confirmed' or (${bookings.status} = 'hold' and ${bookings.holdExpiresAt} > now()))`,
          sql`${bookings.startsAt} < ${hi.toISOString()}::timestamptz`,
          sql`${bookings.occupiedUntil} > ${lo.toISOString()}::timestamptz`,
        ),
      ),
  ] as const;
}

export function toParts([rules, exceptions, busy]: readonly [
  PlanParts['rules'],
  PlanParts['exceptions'],
  { start: Date; end: Date }[],
]): PlanParts {
  return { rules, exceptions, busy: busy.map((b): Busy => ({ start: b.start.getTime(), end: b.end.getTime() })) };
}

/** The rows of one batched `planQueries` call, split by specialist (each id gets its parts, empty or not). */
export function toPartsBySpecialist(
  ids: string[],
  [rules, exceptions, busy]: readonly [
    (PlanParts['rules'][number] & { specialistId: string })[],
    (PlanParts['exceptions'][number] & { specialistId: string })[],
    { specialistId: string; start: Date; end: Date }[],
  ],
): Map<string, PlanParts> {
  const out = new Map(ids.map((id): [string, PlanParts] => [id, { rules: [], exceptions: [], busy: [] }]));
  for (const r of rules) out.get(r.specialistId)?.rules.push(r);
  for (const e of exceptions) out.get(e.specialistId)?.exceptions.push(e);
  for (const b of busy) out.get(b.specialistId)?.busy.push({ start: b.start.getTime(), end: b.end.getTime() });
  return out;
}

async function loadPlan(ctx: Ctx, s: SlotSubject, from: string, to: string): Promise<SlotPlan> {
  const parts = toParts(await ctx.services.db.db.batch(planQueries(ctx, s.specialistId, from, to, true)));
  return { timeZone: s.timeZone, durationMinutes: s.durationMinutes, bufferMinutes: s.bufferMinutes, ...parts };
}

export type SlotProblem = 'past' | 'too_soon' | 'beyond_horizon' | 'outside_availability';

export function slotError(reason: SlotProblem) {
  const messages: Record<SlotProblem, string> = {
    past: 'This time is in the past',
    too_soon: 'Book at least 12 hours ahead',
    beyond_horizon: 'Bookings open 60 days ahead at most',
    outside_availability: 'The specialist does not take sessions at this time',
  };
  return new AppError('slot_unavailable', messages[reason], { reason });
}

/** One local date of a specialist's slots, as a booking attempt needs it (cached per slots generation). */
interface DateCheck {
  /** Starts offered by the hours and exceptions, taken or not. */
  offered: number[];
  /** Of those, the ones no live booking or hold occupies. */
  free: number[];
  /** When the specialist's earliest live hold lapses (ms; null: none): `free` is exact only before it. */
  exactUntil: number | null;
}

/**
 * Throws unless `startsAt` is a slot start of the specialist's hours for this session type,
 * bookable now; then says whether it is already taken as far as the cached slots know (a
 * reschedule ignores that and lets the constraint decide). "Taken" is trusted only while
 * none of the specialist's holds can have lapsed (a lapsed hold frees its
 * slot before the cron sweeps it), and every booking change bumps the slots generation — so
 * a rush's losers are answered without a write, and a free answer still goes to the
 * exclusion constraint, which alone decides who wins.
 */
export async function checkSlot(ctx: Ctx, s: SlotSubject, startsAt: number): Promise<{ taken: boolean }> {
  const now = ctx.services.now().getTime();
  const problem = timingProblem(startsAt, now);
  if (problem) throw slotError(problem);
  const date = localDate(startsAt, s.timeZone);
  const check = await ctx.services.cache.getOrLoad<DateCheck>({
    family: 'slots',
    key: `slotcheck:${s.specialistId}:${s.sessionTypeId}:${date}`,
    gens: [gens.slots(s.specialistId)],
    ttlSec: 60,
    load: async () => {
      const db = ctx.services.db.db;
      const [rules, exceptions, busy, holds] = await db.batch([
        ...planQueries(ctx, s.specialistId, date, date, true),
        db
          .select({ lapses: sql<number | string | null>`(extract(epoch from min(${bookings.holdExpiresAt})) * 1000)::float8` })
          .from(bookings)
          .where(and(eq(bookings.specialistId, s.specialistId), eq(bookings.status, 'hold'), sql`${bookings.holdExpiresAt} > now()`)),
      ]);
      const parts = toParts([rules, exceptions, busy]);
      const plan = { timeZone: s.timeZone, durationMinutes: s.durationMinutes, bufferMinutes: s.bufferMinutes, ...parts };
      const lapses = holds[0]?.lapses;
      return {
        offered: generateSlots({ ...plan, busy: [] }, date, date).map((x) => x.startsAt),
        free: generateSlots(plan, date, date).map((x) => x.startsAt),
        exactUntil: lapses === null || lapses === undefined ? null : Number(lapses),
      };
    },
  });
  if (!check.offered.includes(startsAt)) throw slotError('outside_availability');
  const trusted = check.exactUntil === null || now < check.exactUntil;
  return { taken: trusted && !check.free.includes(startsAt) };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Free slots of the local dates from..to in the specialist's zone. The generated list is
 * cached per specialist generation (every booking change bumps it); notice and horizon are
 * applied to it on each read, since they move with the clock.
 */
export async function freeSlots(ctx: Ctx, q: SlotsQuery & { specialistId: string }): Promise<FreeSlots> {
  if (!DATE.test(q.from) || Number.isNaN(Date.parse(q.from))) throw validationError({ from: 'Use YYYY-MM-DD' });
  if (!DATE.test(q.to) || Number.isNaN(Date.parse(q.to))) throw validationError({ to: 'Use YYYY-MM-DD' });
  if (q.to < q.from) throw validationError({ to: 'Must not be before from' });
  if (addDays(q.from, MAX_RANGE_DAYS - 1) < q.to) throw validationError({ to: `At most ${MAX_RANGE_DAYS} days at a time` });
  const s = await loadSubject(ctx, q.specialistId, q.sessionTypeId);
  const all = await ctx.services.cache.getOrLoad({
    family: 'slots',
    key: `slots:${s.specialistId}:${s.sessionTypeId}:${q.from}:${q.to}`,
    gens: [gens.slots(s.specialistId)],
    ttlSec: 60,
    load: async () => generateSlots(await loadPlan(ctx, s, q.from, q.to), q.from, q.to),
  });
  const now = ctx.services.now().getTime();
  return {
    timeZone: s.timeZone,
    sessionTypeId: s.sessionTypeId,
    durationMinutes: s.durationMinutes,
    slots: all
      .filter((x) => timingProblem(x.startsAt, now) === null)
      .map((x) => ({ startsAt: new Date(x.startsAt).toISOString(), endsAt: new Date(x.endsAt).toISOString() })),
  };
}
