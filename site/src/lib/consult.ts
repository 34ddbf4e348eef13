// Consultations on the site: the API's shapes (aliases of the generated api.gen.ts) and how
// times are shown (in the visitor's zone).
import { tc, tcMaybe } from './i18n-client';
import { formatMoney } from './payments';
import type { Schemas } from './types';

export type Specialist = Schemas['Specialist'];
export type SessionType = Specialist['sessionTypes'][number];
export type AdminSpecialist = Schemas['AdminSpecialist'];
export type OwnSpecialist = Schemas['OwnSpecialist'];
export type Booking = Schemas['Booking'];
export type BookingStatus = Booking['status'];
export type BookingResult = Schemas['BookingResult'];
export type FreeSlots = Schemas['FreeSlots'];
export type Availability = Schemas['Availability'];
export type AvailabilityRule = Availability['rules'][number];
export type AvailabilityException = Availability['exceptions'][number];

/** The visitor's own IANA zone, as the browser knows it. */
export function visitorZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function priceText(p: { amount: number; currency: string }, locale: string): string {
  return p.amount === 0 ? tc('consult.free') : formatMoney(p.amount, p.currency, locale);
}

export function specialtyText(slug: string): string {
  return tcMaybe(`consult.specialty.${slug}`) ?? slug.replace(/_/g, ' ');
}

/** A date and time in the visitor's zone. */
export function whenText(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** "HH:MM" ↔ minutes from local midnight (the availability API's unit). */
export const toTime = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
export const toMinute = (t: string) => {
  const [hh, mm] = t.split(':').map(Number);
  return (hh ?? 0) * 60 + (mm ?? 0);
};
