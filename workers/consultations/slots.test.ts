import { describe, expect, it } from 'vitest';
import { firstFreeSlot, generateSlots, openSpans, overlappingRules, timingProblem, type SlotPlan } from './slots.ts';
import { addDays, isTimeZone, localLabel, offsetAt, zonedInstant } from './zones.ts';

const H = 3_600_000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('zones — local time to instants, DST-correct', () => {
  it('Asia/Almaty has no DST: UTC+5 in winter and summer', () => {
    expect(iso(zonedInstant('2027-01-15', 9 * 60, 'Asia/Almaty'))).toBe('2027-01-15T04:00:00.000Z');
    expect(iso(zonedInstant('2027-07-15', 9 * 60, 'Asia/Almaty'))).toBe('2027-07-15T04:00:00.000Z');
  });

  it('Europe/Berlin: +1 before the spring change, +2 after; 02:30 on the change day does not exist', () => {
    // 2027-03-28: clocks go from 02:00 CET to 03:00 CEST.
    expect(iso(zonedInstant('2027-03-28', 60, 'Europe/Berlin'))).toBe('2027-03-28T00:00:00.000Z');
    expect(zonedInstant('2027-03-28', 150, 'Europe/Berlin')).toBeNull();
    expect(iso(zonedInstant('2027-03-28', 180, 'Europe/Berlin'))).toBe('2027-03-28T01:00:00.000Z');
    expect(iso(zonedInstant('2027-03-28', 10 * 60, 'Europe/Berlin'))).toBe('2027-03-28T08:00:00.000Z');
    expect(iso(zonedInstant('2027-03-27', 10 * 60, 'Europe/Berlin'))).toBe('2027-03-27T09:00:00.000Z');
    expect(offsetAt(Date.parse('2027-03-28T00:30:00Z'), 'Europe/Berlin')).toBe(1 * H);
    expect(offsetAt(Date.parse('2027-03-28T01:30:00Z'), 'Europe/Berlin')).toBe(2 * H);
    // Autumn: 2027-10-31 03:00 CEST → 02:00 CET; 10:00 that day is UTC+1 again.
    expect(iso(zonedInstant('2027-10-31', 10 * 60, 'Europe/Berlin'))).toBe('2027-10-31T09:00:00.000Z');
    expect(localLabel(Date.parse('2027-10-31T09:00:00Z'), 'Europe/Berlin')).toBe('2027-10-31 10:00');
  });

  it('knows IANA zones and refuses unknown ones', () => {
    expect(isTimeZone('Asia/Almaty')).toBe(true);
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});

describe('slot generation', () => {
  const base: SlotPlan = {
    timeZone: 'Europe/Berlin',
    rules: [{ weekday: 7, startMinute: 60, endMinute: 5 * 60 }],
    exceptions: [],
    durationMinutes: 60,
    bufferMinutes: 0,
    busy: [],
  };

  it('skips the hour a spring-forward gap removes and keeps real hours after it', () => {
    const slots = generateSlots(base, '2027-03-28', '2027-03-28').map((s) => iso(s.startsAt));
    // Local 01:00, (02:00 missing), 03:00, 04:00.
    expect(slots).toEqual(['2027-03-28T00:00:00.000Z', '2027-03-28T01:00:00.000Z', '2027-03-28T02:00:00.000Z']);
  });

  it('steps by duration + buffer and leaves out time taken by live bookings (with their buffer)', () => {
    const plan: SlotPlan = {
      ...base,
      timeZone: 'Asia/Almaty',
      rules: [{ weekday: 1, startMinute: 9 * 60, endMinute: 13 * 60 }],
      durationMinutes: 50,
      bufferMinutes: 10,
    };
    const all = generateSlots(plan, '2027-01-04', '2027-01-04').map((s) => localLabel(s.startsAt, 'Asia/Almaty'));
    expect(all).toEqual(['2027-01-04 09:00', '2027-01-04 10:00', '2027-01-04 11:00', '2027-01-04 12:00']);
    const busyStart = Date.parse('2027-01-04T05:00:00Z'); // 10:00 local
    const taken = generateSlots({ ...plan, busy: [{ start: busyStart, end: busyStart + 60 * 60_000 }] }, '2027-01-04', '2027-01-04');
    expect(taken.map((s) => localLabel(s.startsAt, 'Asia/Almaty'))).toEqual(['2027-01-04 09:00', '2027-01-04 11:00', '2027-01-04 12:00']);
  });

  it('exceptions: a day off removes the day, part-day off cuts it, extra hours add to it', () => {
    const rules = [{ weekday: 1, startMinute: 9 * 60, endMinute: 12 * 60 }];
    expect(openSpans('2027-01-04', rules, [{ date: '2027-01-04', kind: 'off', startMinute: null, endMinute: null }])).toEqual([]);
    expect(openSpans('2027-01-04', rules, [{ date: '2027-01-04', kind: 'off', startMinute: 600, endMinute: 660 }])).toEqual([
      [540, 600],
      [660, 720],
    ]);
    expect(openSpans('2027-01-05', rules, [{ date: '2027-01-05', kind: 'extra', startMinute: 840, endMinute: 900 }])).toEqual([[840, 900]]);
    expect(openSpans('2027-01-04', rules, [{ date: '2027-01-05', kind: 'off', startMinute: null, endMinute: null }])).toEqual([[540, 720]]);
  });

  it('timing: past, closer than 12 h, beyond 60 days', () => {
    const now = Date.parse('2027-01-01T00:00:00Z');
    expect(timingProblem(now - 1, now)).toBe('past');
    expect(timingProblem(now + 11 * H, now)).toBe('too_soon');
    expect(timingProblem(now + 12 * H, now)).toBeNull();
    expect(timingProblem(now + 60 * 24 * H, now)).toBeNull();
    expect(timingProblem(now + 60 * 24 * H + 1, now)).toBe('beyond_horizon');
  });

  it('finds overlapping rules of one weekday only', () => {
    expect(
      overlappingRules([
        { weekday: 1, startMinute: 540, endMinute: 720 },
        { weekday: 2, startMinute: 540, endMinute: 720 },
        { weekday: 1, startMinute: 720, endMinute: 800 },
      ]),
    ).toEqual([]);
    expect(
      overlappingRules([
        { weekday: 1, startMinute: 540, endMinute: 720 },
        { weekday: 1, startMinute: 700, endMinute: 800 },
      ]),
    ).toEqual([[0, 1]]);
  });
});

describe('the first free slot', () => {
  /** The whole horizon generated, then the earliest bookable start: what firstFreeSlot must equal. */
  function reference(plan: Omit<SlotPlan, 'durationMinutes'>, durations: number[], from: string, to: string, now: number) {
    const starts = durations.flatMap((d) => generateSlots({ ...plan, durationMinutes: d }, from, to).map((x) => x.startsAt));
    const ok = starts.filter((x) => timingProblem(x, now) === null);
    return ok.length ? Math.min(...ok) : null;
  }
  // A small deterministic generator: the same cases on every run.
  let seed = 17;
  const rnd = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };

  it('equals the earliest bookable start of the whole horizon: notice, days off, busy days, DST changes', () => {
    for (let i = 0; i < 60; i++) {
      const timeZone = ['Asia/Almaty', 'Europe/Berlin', 'America/New_York'][i % 3]!;
      // Around the spring and autumn changes of 2027, and an ordinary stretch.
      const now =
        Date.parse(['2027-03-26T20:00:00Z', '2027-10-29T07:30:00Z', '2027-06-10T12:00:00Z'][Math.floor(i / 3) % 3]!) + rnd() * 36 * H;
      const from = new Date(now + 12 * H - 24 * H).toISOString().slice(0, 10);
      const to = new Date(now + 61 * 24 * H).toISOString().slice(0, 10);
      const rules = [1, 2, 3, 4, 5, 6, 7]
        .filter(() => rnd() < 0.6)
        .map((weekday) => {
          const start = Math.floor(rnd() * 20) * 60;
          return { weekday, startMinute: start, endMinute: Math.min(1440, start + 60 + Math.floor(rnd() * 8) * 60) };
        });
      const exceptions = Array.from({ length: Math.floor(rnd() * 4) }, (_, k) => ({
        date: addDays(from, k + Math.floor(rnd() * 3)),
        kind: 'off' as const,
        startMinute: null,
        endMinute: null,
      }));
      // Busy: the first days booked solid now and then, so the answer moves further out.
      const busy = rnd() < 0.4 ? [{ start: now, end: now + Math.floor(1 + rnd() * 5) * 24 * H }] : [];
      const plan = { timeZone, rules, exceptions, bufferMinutes: [0, 10, 15][i % 3]!, busy };
      const durations = rnd() < 0.5 ? [60, 30] : [45];
      expect(firstFreeSlot(plan, durations, from, to, now), `case ${i} ${timeZone}`).toBe(reference(plan, durations, from, to, now));
    }
  });

  it('is null without hours or without session types', () => {
    const plan = { timeZone: 'Asia/Almaty', rules: [], exceptions: [], bufferMinutes: 10, busy: [] };
    expect(firstFreeSlot(plan, [60], '2027-01-01', '2027-03-01', Date.parse('2027-01-01T00:00:00Z'))).toBeNull();
    const open = { ...plan, rules: [{ weekday: 1, startMinute: 540, endMinute: 600 }] };
    expect(firstFreeSlot(open, [], '2027-01-01', '2027-03-01', Date.parse('2027-01-01T00:00:00Z'))).toBeNull();
  });
});
