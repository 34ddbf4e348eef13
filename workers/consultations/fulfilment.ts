/**
 * The 'booking' purchase kind (workers/payments/purchases.ts): priced from the held booking,
 * confirmed by the payment's success and released by its failure, each inside the settle
 * transaction — so a duplicated webhook confirms (and notifies) exactly once.
 * Imports no payments module: purchases.ts imports this one.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { HttpDb, Tx } from '../../db/client.ts';
import { bookings, specialists, users, type Booking } from '../../db/schema/index.ts';
import type { Payment, PaymentCurrency } from '../../db/schema/payments.ts';
import type { Ctx } from '../lib/context.ts';
import { AppError, conflict, notFound } from '../lib/errors.ts';
import { isExclusionViolation } from '../lib/pg-errors.ts';
import { publishNotifications, type InsertedNotification } from '../notifications/notify.ts';
import { bookingNote } from './notes.ts';
import { slotsChanged } from './next-free.ts';

type AfterCommit = (ctx: Ctx) => Promise<void>;

async function zoneOf(tx: Tx, specialistId: string) {
  const [s] = await tx.select({ tz: specialists.timeZone }).from(specialists).where(eq(specialists.id, specialistId));
  return s?.tz ?? 'Asia/Almaty';
}

const after =
  (specialistId: string, notes: (InsertedNotification | undefined)[]): AfterCommit =>
  async (ctx) => {
    publishNotifications(ctx, notes);
    await slotsChanged(ctx, specialistId);
  };

export const bookingFulfilment = {
  quote(ctx: Ctx, { userId, id, lang }: { userId: string; id: string; lang: 'ru' | 'kk' | 'en' }) {
    return {
      query: (ctx.services.db.db as HttpDb)
        .select({ b: bookings, name: users.name })
        .from(bookings)
        .innerJoin(users, eq(users.id, bookings.specialistId))
        .where(and(eq(bookings.id, id), eq(bookings.clientId, userId))),
      quote(rows: { b: Booking; name: string }[]) {
        const row = rows[0];
        if (!row) throw notFound('Booking');
        const b = row.b;
        if (b.status !== 'hold' || !b.holdExpiresAt || b.holdExpiresAt.getTime() <= ctx.services.now().getTime()) {
          throw conflict('This booking is not waiting for payment (the hold may have expired)', { reason: 'not_held', status: b.status });
        }
        if (b.amount <= 0) throw new AppError('bad_request', 'This consultation is free', { reason: 'free' });
        return {
          amount: b.amount,
          currency: b.currency as PaymentCurrency,
          description: `Consultation: ${row.name}, ${b.startsAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`.slice(0, 300),
          returnPath: `/${lang}/consultations/bookings?booking=${b.id}`,
        };
      },
    };
  },

  /**
   * Paid: the hold becomes a booking. A hold that lapsed is confirmed too if its time is still
   * free; when someone else took it meanwhile, the booking is cancelled and its refund queued.
   */
  async grant(tx: Tx, p: Payment): Promise<AfterCommit> {
    const [b] = await tx.select().from(bookings).where(eq(bookings.id, p.purchaseId)).for('update');
    if (!b) return async () => {};
    const tz = await zoneOf(tx, b.specialistId);
    const notes: InsertedNotification[] = [];
    if (b.status === 'hold' || b.status === 'expired') {
      let confirmed: Booking | undefined;
      try {
        confirmed = await tx.transaction(async (sp) => {
          const [row] = await sp
            .update(bookings)
            .set({ status: 'confirmed', confirmedAt: sql`now()`, holdExpiresAt: null, paymentId: p.id })
            .where(eq(bookings.id, b.id))
            .returning();
          return row;
        });
      } catch (err) {
        if (!isExclusionViolation(err)) throw err;
      }
      if (confirmed) {
        notes.push(...(await bookingNote(tx as unknown as HttpDb, b.specialistId, 'new', confirmed, tz)));
        notes.push(...(await bookingNote(tx as unknown as HttpDb, b.clientId, 'confirmed', confirmed, tz)));
        return after(b.specialistId, notes);
      }
      const [lost] = await tx
        .update(bookings)
        .set({
          status: 'cancelled',
          cancelledBy: 'system',
          cancelledAt: sql`now()`,
          holdExpiresAt: null,
          paymentId: p.id,
          refund: 'pending',
        })
        .where(eq(bookings.id, b.id))
        .returning();
      notes.push(...(await bookingNote(tx as unknown as HttpDb, b.clientId, 'slot_lost', lost!, tz)));
      return after(b.specialistId, notes);
    }
    // Paid for a booking already cancelled (while its checkout was open): give the money back.
    if (b.status === 'cancelled') {
      await tx.update(bookings).set({ paymentId: p.id, refund: 'pending' }).where(eq(bookings.id, b.id));
    }
    return after(b.specialistId, notes);
  },

  /** Refunded (by a cancellation or an admin): a live booking is cancelled; the refund is done. */
  async revoke(tx: Tx, p: Payment): Promise<AfterCommit> {
    const [b] = await tx
      .update(bookings)
      .set({
        refund: 'done',
        status: sql`case when ${bookings.status} in ('hold', 'confirmed') then 'cancelled'::booking_status else ${bookings.status} end`,
        cancelledBy: sql`coalesce(${bookings.cancelledBy}, 'system')`,
        cancelledAt: sql`coalesce(${bookings.cancelledAt}, now())`,
      })
      .where(eq(bookings.id, p.purchaseId))
      .returning();
    return b ? after(b.specialistId, []) : async () => {};
  },

  /** The payment failed or was abandoned: the hold is released at once. */
  async release(tx: Tx, p: Payment): Promise<AfterCommit> {
    const [b] = await tx
      .update(bookings)
      .set({ status: 'expired', holdExpiresAt: null })
      .where(and(eq(bookings.id, p.purchaseId), inArray(bookings.status, ['hold'])))
      .returning();
    return b ? after(b.specialistId, []) : async () => {};
  },
};
