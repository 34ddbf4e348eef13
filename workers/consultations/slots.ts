/**
 * Free slots are computed on read from the weekly rules and the exceptions, in the
 * specialist's zone, minus the time taken by live bookings (each with its buffer). Nothing
 * per slot is stored; the exclusion constraint on bookings is what finally decides.
 */
import type { Exception, Rule } from './schemas.ts';
import { addDays, isoWeekday, zonedInstant } from './zones.ts';

export type { Exception, Rule };

export const HOLD_MINUTES = 15;
export const HORIZON_DAYS = 60;
export const MIN_NOTICE_HOURS = 12;
/** Longest range one slots request may ask for. */
export const MAX_RANGE_DAYS = 31;

const MIN = 60_000;

/** A live booking's occupied time: [start, end + its buffer). */
export interface Busy {
  start: number;
  end: number;
}

export interface SlotPlan {
  timeZone: string;
  rules: Rule[];
  exceptions: Exception[];
  durationMinutes: number;
  bufferMinutes: number;
  busy: Busy[];
}

export interface Slot {
  startsAt: number;
  endsAt: number;
}

type Span = [start: number, end: number];

function merge(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else out.push([s[0], s[1]]);
  }
  return out;
}

function subtract(spans: Span[], cut: Span): Span[] {
  const out: Span[] = [];
  for (const [a, b] of spans) {
    if (cut[1] <= a || cut[0] >= b) out.push([a, b]);
    else {
      if (cut[0] > a) out.push([a, cut[0]]);
      if (cut[1] < b) out.push([cut[1], b]);
    }
  }
  return out;
}

/** Open local minutes of one date: the weekday's rules plus extra hours, minus time off. */
export function openSpans(date: string, rules: Rule[], exceptions: Exception[]): Span[] {
  const wd = isoWeekday(date);
  const today = exceptions.filter((e) => e.date === date);
  let spans = merge([
    ...rules.filter((r) => r.weekday === wd).map((r): Span => [r.startMinute, r.endMinute]),
    ...today.filter((e) => e.kind === 'extra' && e.startMinute !== null).map((e): Span => [e.startMinute!, e.endMinute!]),
  ]);
  for (const off of today.filter((e) => e.kind === 'off')) {
    spans = off.startMinute === null ? [] : subtract(spans, [off.startMinute, off.endMinute!]);
  }
  return spans;
}

/**
 * Every slot of the local dates from..to (inclusive) that no live booking overlaps, ignoring
 * the clock (notice and horizon are applied per read: the result can be cached).
 * Slots start at the beginning of each open span and follow each other by duration + buffer.
 */
export function generateSlots(plan: SlotPlan, from: string, to: string): Slot[] {
  const out: Slot[] = [];
  const dur = plan.durationMinutes;
  const step = dur + plan.bufferMinutes;
  const busy = [...plan.busy].sort((a, b) => a.start - b.start);
  for (let date = from; date <= to; date = addDays(date, 1)) {
    for (const [a, b] of openSpans(date, plan.rules, plan.exceptions)) {
      for (let m = a; m + dur <= b; m += step) {
        const start = zonedInstant(date, m, plan.timeZone);
        if (start === null) continue; // skipped by a spring-forward gap
        const end = start + dur * MIN;
        const occupiedUntil = end + plan.bufferMinutes * MIN;
        if (busy.some((x) => x.start < occupiedUntil && start < x.end)) continue;
        out.push({ startsAt: start, endsAt: end });
      }
    }
  }
  return out;
}

/**
 * The earliest start bookable at `now` among the session durations, over the local dates
 * from..to (give a range covering now + notice .. now + horizon in the zone), or null.
 * Date by date, stopping at the first date with a bookable slot: every instant of a local date
 * comes before the next date's, so that date holds the earliest. (Generating the whole horizon
 * cost tens of ms of CPU per specialist — one zone conversion per slot — for an answer that is
 * almost always in the first days.)
 */
export function firstFreeSlot(
  plan: Omit<SlotPlan, 'durationMinutes'>,
  durations: number[],
  from: string,
  to: string,
  now: number,
): number | null {
  const unique = [...new Set(durations)];
  if (!unique.length) return null;
  for (let date = from; date <= to; date = addDays(date, 1)) {
    let best: number | null = null;
    for (const durationMinutes of unique) {
      for (const s of generateSlots({ ...plan, durationMinutes }, date, date)) {
        if (timingProblem(s.startsAt, now) === null && (best === null || s.startsAt < best)) best = s.startsAt;
      }
    }
    if (best !== null) return best;
  }
  return null;
}

/** Why a start time cannot be booked now (past, too soon, beyond the horizon), or null. */
export function timingProblem(startsAt: number, now: number): 'past' | 'too_soon' | 'beyond_horizon' | null {
  if (startsAt <= now) return 'past';
  if (startsAt < now + MIN_NOTICE_HOURS * 3_600_000) return 'too_soon';
  if (startsAt > now + HORIZON_DAYS * 86_400_000) return 'beyond_horizon';
  return null;
}

/** Overlapping weekly rules (same weekday), as pairs of indexes; the database refuses them too. */
export function overlappingRules(rules: Rule[]): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < rules.length; i++) {
    for (let j = i + 1; j < rules.length; j++) {
      const a = rules[i]!;
      const b = rules[j]!;
      if (a.weekday === b.weekday && a.startMinute < b.endMinute && b.startMinute < a.endMinute) pairs.push([i, j]);
    }
  }
  return pairs;
}
