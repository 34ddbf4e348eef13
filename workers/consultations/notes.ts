import type { Booking } from '../../db/schema/index.ts';
import { notificationInsert } from '../notifications/notify.ts';
import { localLabel } from './zones.ts';

export type BookingEvent = 'new' | 'confirmed' | 'cancelled' | 'rescheduled' | 'reminder_24h' | 'reminder_1h' | 'slot_lost';

/**
 * A booking notice, in the caller's transaction or batch. The dedupe key names the booking,
 * the event and the start time, so a retried job or webhook never notifies twice, while a
 * rescheduled booking is announced again for its new time.
 */
export function bookingNote(
  db: Parameters<typeof notificationInsert>[0],
  userId: string,
  event: BookingEvent,
  b: Booking,
  timeZone: string,
) {
  return notificationInsert(db, {
    userId,
    kind: 'booking',
    data: {
      event,
      bookingId: b.id,
      startsAt: b.startsAt.toISOString(),
      local: localLabel(b.startsAt.getTime(), timeZone),
      timeZone,
    },
    dedupeKey: `booking:${b.id}:${event}:${b.startsAt.toISOString()}`,
  });
}
