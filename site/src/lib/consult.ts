// Consultations on the site: the API's shapes and how times are shown (in the visitor's zone).
import { tc, tcMaybe } from './i18n-client';
import { formatMoney } from './payments';

export interface SessionType {
  id: string;
  durationMinutes: number;
  price: { amount: number; currency: string };
}

export interface Specialist {
  id: string;
  name: string;
  bio: string;
  photoUrl: string | null;
  languages: string[];
  specialties: string[];
  timeZone: string;
  bufferMinutes: number;
  sessionTypes: SessionType[];
  rating: { average: number; count: number };
  verified: boolean;
}

export type BookingStatus = 'hold' | 'confirmed' | 'expired' | 'cancelled' | 'completed' | 'no_show';

export interface Booking {
  id: string;
  specialist: { id: string; name: string; timeZone: string };
  client: { id: string; name: string };
  child: { id: string; name: string } | null;
  sessionTypeId: string;
  durationMinutes: number;
  startsAt: string;
  endsAt: string;
  status: BookingStatus;
  holdExpiresAt: string | null;
  price: { amount: number; currency: string };
  paymentId: string | null;
  cancelledBy: string | null;
  refund: 'none' | 'pending' | 'done';
  note: string | null;
}

export interface BookingResult {
  booking: Booking;
  payment: { id: string; checkoutUrl: string | null; status: string } | null;
}

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
