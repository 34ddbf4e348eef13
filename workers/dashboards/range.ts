import { AppError } from '../lib/errors.ts';

/** Longest range a dashboard answers: a year and a bit, so one read stays a few hundred rollup rows per course. */
export const MAX_RANGE_DAYS = 400;
export const DEFAULT_RANGE_DAYS = 30;

export interface DayRange {
  from: string;
  to: string;
  days: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MS_DAY = 86_400_000;

function parseDay(value: string, field: string): number {
  const ms = DAY.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  // Date.parse rolls 2026-02-31 over to March: a date must print back as it was written.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw new AppError('invalid_range', `${field} must be a date as YYYY-MM-DD`, { fields: { [field]: 'Use YYYY-MM-DD' } });
  }
  return ms;
}

/** `from`/`to` (UTC days, inclusive); default: the last 30 days up to today. */
export function dayRange(input: { from?: string; to?: string }, now: Date): DayRange {
  const toMs = input.to ? parseDay(input.to, 'to') : Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
  const fromMs = input.from ? parseDay(input.from, 'from') : toMs - (DEFAULT_RANGE_DAYS - 1) * MS_DAY;
  if (fromMs > toMs) throw new AppError('invalid_range', 'from is after to', { fields: { from: 'Must not be after to' } });
  const days = Math.round((toMs - fromMs) / MS_DAY) + 1;
  if (days > MAX_RANGE_DAYS) {
    throw new AppError('invalid_range', `A range covers at most ${MAX_RANGE_DAYS} days`, {
      fields: { from: `At most ${MAX_RANGE_DAYS} days` },
    });
  }
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: iso(fromMs), to: iso(toMs), days };
}

/** Monday of the ISO week of a YYYY-MM-DD day. */
export function weekOf(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  const dow = (new Date(ms).getUTCDay() + 6) % 7;
  return new Date(ms - dow * MS_DAY).toISOString().slice(0, 10);
}

/** Every day (or week start) of the range, so charts show zero days as zero rather than skipping them. */
export function periods(range: DayRange, bucket: 'day' | 'week'): string[] {
  const out: string[] = [];
  const start = Date.parse(`${range.from}T00:00:00Z`);
  for (let i = 0; i < range.days; i++) {
    const day = new Date(start + i * MS_DAY).toISOString().slice(0, 10);
    const p = bucket === 'week' ? weekOf(day) : day;
    if (out[out.length - 1] !== p) out.push(p);
  }
  return out;
}

/** RFC 4180 CSV: every field quoted when it needs to be; a leading =+-@ is defused for spreadsheets. */
export function toCsv(columns: string[], rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null) => {
    if (v === null) return '';
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[columns, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}
