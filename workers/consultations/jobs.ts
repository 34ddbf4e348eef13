/**
 * The consultations' share of the minute cron: lapsed holds released, reminders sent, owed
 * refunds retried. Each step is safe to run twice, late or concurrently.
 */
import { eq, sql } from 'drizzle-orm';
import { bookings } from '../../db/schema/index.ts';
import type { Ctx } from '../lib/context.ts';
import { errorFields } from '../lib/logger.ts';
import { RAW_NOTIFICATION_COLUMNS, fromRaw, publishNotifications, type RawNotification } from '../notifications/notify.ts';
import { refundPaymentFor } from './refund.ts';
import { refreshStaleNextFree, slotsChanged } from './next-free.ts';

/** Holds whose 15 minutes ran out stop blocking the slot (booking also does this lazily). */
export async function expireHolds(ctx: Ctx): Promise<number> {
  const now = ctx.services.now().toISOString();
  const rows = await ctx.services.db.db.execute<{ specialist_id: string }>(sql`
    update bookings set status = 'expired', hold_expires_at = null, updated_at = now()
    where status = 'hold' and hold_expires_at <= ${now}::timestamptz
    returning specialist_id`);
  const specialistsTouched = [...new Set(rows.rows.map((r) => r.specialist_id))];
  await slotsChanged(ctx, ...specialistsTouched);
  return rows.rows.length;
}

const REMINDERS = [
  // 24 h before (unless the session is already within the hour: then only the 1 h one).
  { column: 'reminded_24_at', event: 'reminder_24h', from: '1 hour', to: '24 hours' },
  { column: 'reminded_1_at', event: 'reminder_1h', from: '0 seconds', to: '1 hour' },
] as const;

/**
 * Each reminder is claimed by the same statement that inserts its notifications (client and
 * specialist): a second run, a concurrent one or a late one finds the column already set, and
 * the dedupe key (booking, kind, start) refuses a duplicate even if the claim were lost.
 * The window is in real time; the local time in the text is the specialist zone's, by
 * Postgres' time zone database (DST included).
 */
export async function sendReminders(ctx: Ctx): Promise<number> {
  const now = ctx.services.now().toISOString();
  let sent = 0;
  for (const r of REMINDERS) {
    const col = sql.raw(r.column);
    const rows = await ctx.services.db.db.execute<RawNotification & Record<string, unknown>>(sql`
      with due as (
        update bookings b set ${col} = ${now}::timestamptz
        from specialists s
        where s.id = b.specialist_id and b.status = 'confirmed' and b.${col} is null
          and b.starts_at > ${now}::timestamptz + interval '${sql.raw(r.from)}'
          and b.starts_at <= ${now}::timestamptz + interval '${sql.raw(r.to)}'
        returning b.id, b.client_id, b.specialist_id, b.starts_at, s.time_zone
      ), recipients as (
        select id, client_id as user_id, starts_at, time_zone from due
        union all
        select id, specialist_id, starts_at, time_zone from due
      )
      insert into notifications (user_id, kind, data, dedupe_key)
      select user_id, 'booking',
        jsonb_build_object(
          'event', ${r.event}::text, 'bookingId', id,
          'startsAt', to_char(starts_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'local', to_char(starts_at at time zone time_zone, 'YYYY-MM-DD HH24:MI'), 'timeZone', time_zone),
        'booking:' || id || ':' || ${r.event}::text || ':' || to_char(starts_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
      from recipients
      on conflict (user_id, dedupe_key) do nothing
      returning ${sql.raw(RAW_NOTIFICATION_COLUMNS)}`);
    publishNotifications(ctx, rows.rows.map(fromRaw));
    sent += rows.rows.length;
  }
  return sent;
}

/** Refunds owed to cancelled bookings whose provider call failed or came after a late payment. */
export async function retryRefunds(ctx: Ctx, limit = 20): Promise<number> {
  const due = await ctx.services.db.db
    .select({ id: bookings.id, paymentId: bookings.paymentId })
    .from(bookings)
    .where(eq(bookings.refund, 'pending'))
    .orderBy(bookings.updatedAt)
    .limit(limit);
  let done = 0;
  for (const b of due) {
    try {
      if ((await refundPaymentFor(ctx, b)) === 'refunded') done++;
    } catch (err) {
      ctx.log.warn('booking refund failed, retrying next run', { bookingId: b.id, ...errorFields(err) });
    }
  }
  return done;
}

export async function runConsultationJobs(ctx: Ctx) {
  const expired = await expireHolds(ctx);
  const reminders = await sendReminders(ctx);
  const refunds = await retryRefunds(ctx);
  const nextFree = await refreshStaleNextFree(ctx);
  return { expired, reminders, refunds, nextFree };
}
