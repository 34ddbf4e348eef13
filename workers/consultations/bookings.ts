/**
 * Booking a consultation. A paid slot is held for 15 minutes while the buyer pays through
 * the payments checkout (purchase kind 'booking', see ./fulfilment.ts); the payment webhook
 * confirms it in the settle transaction. A free one is confirmed at once. Whether the time
 * is still free is decided by the exclusion constraint `bookings_no_overlap`, never by a read.
 */
import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { SelectResultFields } from 'drizzle-orm/query-builders/select.types';
import { bookings, children, sessionTypes, specialists, users, type Booking } from '../../db/schema/index.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { decodeTimeIdCursor, toPage, type Page } from '../lib/cursor.ts';
import { AppError, conflict, notFound } from '../lib/errors.ts';
import { isExclusionViolation } from '../lib/pg-errors.ts';
import { exactTs, stateIs } from '../lib/sql.ts';
import { notificationInsert, publishNotifications, type InsertedNotification } from '../notifications/notify.ts';
import { checkout } from '../payments/checkout.ts';
import { refundPaymentFor } from './refund.ts';
import { checkSlot, loadSubject, type SlotSubject } from './availability.ts';
import { HOLD_MINUTES } from './slots.ts';
import { gens } from './specialists.ts';
import { bookingNote } from './notes.ts';
import { slotsChanged } from './next-free.ts';
import type { BookInput, BookingResult, BookingView, BookingsQuery, Lang, OutcomeInput, ReviewInput } from './schemas.ts';

const MIN = 60_000;
/** A client's cancellation is refunded in full until this long before the start; not after. */
export const FREE_CANCEL_HOURS = 24;

const viewColumns = {
  b: bookings,
  specialistName: users.name,
  timeZone: specialists.timeZone,
  durationMinutes: sessionTypes.durationMinutes,
  clientName: sql<string>`(select name from users cu where cu.id = ${bookings.clientId})`,
  childName: sql<string | null>`(select name from children ch where ch.id = ${bookings.childId})`,
  createdAtText: exactTs(bookings.createdAt),
};

type ViewRow = SelectResultFields<typeof viewColumns>;

function toView(r: ViewRow, as: 'client' | 'specialist'): BookingView {
  const b = r.b;
  return {
    id: b.id,
    specialist: { id: b.specialistId, name: r.specialistName, timeZone: r.timeZone },
    client: { id: b.clientId, name: r.clientName },
    child: b.childId ? { id: b.childId, name: r.childName ?? '' } : null,
    sessionTypeId: b.sessionTypeId,
    durationMinutes: r.durationMinutes,
    startsAt: b.startsAt.toISOString(),
    endsAt: b.endsAt.toISOString(),
    status: b.status,
    holdExpiresAt: b.status === 'hold' && b.holdExpiresAt ? b.holdExpiresAt.toISOString() : null,
    price: { amount: b.amount, currency: b.currency },
    paymentId: as === 'client' ? b.paymentId : null,
    cancelledBy: b.cancelledBy,
    refund: b.refund,
    note: b.note,
    review: b.reviewRating ? { rating: b.reviewRating, text: b.reviewText } : null,
    createdAt: b.createdAt.toISOString(),
  };
}

function viewQuery(ctx: Ctx) {
  return ctx.services.db.db
    .select(viewColumns)
    .from(bookings)
    .innerJoin(specialists, eq(specialists.id, bookings.specialistId))
    .innerJoin(users, eq(users.id, bookings.specialistId))
    .innerJoin(sessionTypes, eq(sessionTypes.id, bookings.sessionTypeId));
}

/** One booking as its client or its specialist sees it; anyone else gets 404. */
export async function getBooking(ctx: Ctx, actor: Actor, id: string): Promise<BookingView> {
  if (!isId(id)) throw notFound('Booking');
  const [r] = await viewQuery(ctx).where(
    and(eq(bookings.id, id), or(eq(bookings.clientId, actor.id), eq(bookings.specialistId, actor.id))),
  );
  if (!r) throw notFound('Booking');
  return toView(r, r.b.clientId === actor.id ? 'client' : 'specialist');
}

export async function book(ctx: Ctx, actor: Actor, input: BookInput): Promise<{ status: 200 | 201; body: BookingResult }> {
  const childId = input.childId;
  // Independent reads side by side: in a rush most attempts lose, and each round trip saved is latency saved for all.
  const [s, childFound] = await Promise.all([
    loadSubject(ctx, input.specialistId, input.sessionTypeId),
    childId === undefined
      ? Promise.resolve(true)
      : isId(childId)
        ? ctx.services.db.db
            .select({ id: children.id })
            .from(children)
            .where(and(eq(children.id, childId), eq(children.parentId, actor.id)))
            .then((rows) => rows.length > 0)
        : Promise.resolve(false),
  ]);
  if (s.specialistId === actor.id) throw new AppError('bad_request', 'You cannot book yourself', { reason: 'self' });
  if (!childFound) throw notFound('Child');
  const startsAt = Date.parse(input.startsAt);
  const { taken } = await checkSlot(ctx, s, startsAt);
  // Most of a rush's attempts: known taken, so no write — only the check for our own retry.
  if (taken) return ownBookingOrTaken(ctx, actor, s, startsAt, input.lang);
  const now = ctx.services.now().getTime();
  const free = s.amount === 0;
  const endsAt = startsAt + s.durationMinutes * MIN;
  const db = ctx.services.db.db;
  let inserted: Booking | undefined;
  let notes: InsertedNotification[] = [];
  try {
    // One implicit transaction: stale holds of this specialist are released first, so an
    // expired hold the cron has not swept yet never blocks the new booking.
    const [, rows] = await db.batch([
      db
        .update(bookings)
        .set({ status: 'expired', holdExpiresAt: null })
        .where(and(eq(bookings.specialistId, s.specialistId), eq(bookings.status, 'hold'), sql`${bookings.holdExpiresAt} <= now()`)),
      db
        .insert(bookings)
        .values({
          specialistId: s.specialistId,
          clientId: actor.id,
          childId: input.childId ?? null,
          sessionTypeId: s.sessionTypeId,
          startsAt: new Date(startsAt),
          endsAt: new Date(endsAt),
          occupiedUntil: new Date(endsAt + s.bufferMinutes * MIN),
          status: free ? 'confirmed' : 'hold',
          holdExpiresAt: free ? null : new Date(now + HOLD_MINUTES * MIN),
          confirmedAt: free ? new Date(now) : null,
          amount: s.amount,
          currency: s.currency,
        })
        .returning(),
    ]);
    inserted = rows[0];
  } catch (err) {
    if (!isExclusionViolation(err)) throw err;
    return ownBookingOrTaken(ctx, actor, s, startsAt, input.lang);
  }
  const b = inserted!;
  if (free) {
    const [[n1], [n2]] = await db.batch([
      bookingNote(db, s.specialistId, 'new', b, s.timeZone),
      bookingNote(db, actor.id, 'confirmed', b, s.timeZone),
    ]);
    notes = [n1, n2].filter((n): n is InsertedNotification => !!n);
    publishNotifications(ctx, notes);
  }
  await slotsChanged(ctx, s.specialistId);
  const view = await getBooking(ctx, actor, b.id);
  return { status: 201, body: await withPayment(ctx, actor, view, input.lang) };
}

/** The slot is taken: a retry of our own request finds its own live booking (the same answer again), anyone else 409. */
async function ownBookingOrTaken(
  ctx: Ctx,
  actor: Actor,
  s: SlotSubject,
  startsAt: number,
  lang: Lang,
): Promise<{ status: 200; body: BookingResult }> {
  const [own] = await ctx.services.db.db
    .select({ id: bookings.id })
    .from(bookings)
    .where(
      and(
        eq(bookings.clientId, actor.id),
        eq(bookings.specialistId, s.specialistId),
        eq(bookings.startsAt, new Date(startsAt)),
        inArray(bookings.status, ['hold', 'confirmed']),
      ),
    );
  if (own) return { status: 200, body: await withPayment(ctx, actor, await getBooking(ctx, actor, own.id), lang) };
  throw new AppError('slot_taken', 'Someone has just booked this time; pick another', { reason: 'slot_taken' });
}

/** Opens (or resumes) the checkout of a held booking; a failure releases the hold. */
async function withPayment(ctx: Ctx, actor: Actor, view: BookingView, lang: Lang): Promise<BookingResult> {
  if (view.status !== 'hold') return { booking: view, payment: null };
  try {
    const r = await checkout(ctx, actor, { purchase: { kind: 'booking', id: view.id }, lang }, `booking:${view.id}`);
    const p = r.body as { id?: string; checkoutUrl?: string | null; status?: string; error?: unknown };
    if (r.status >= 400 || !p.id) throw new AppError('service_unavailable', 'The payment could not be started; try again');
    return { booking: view, payment: { id: p.id, checkoutUrl: p.checkoutUrl ?? null, status: p.status ?? 'pending' } };
  } catch (err) {
    await ctx.services.db.db
      .update(bookings)
      .set({ status: 'expired', holdExpiresAt: null })
      .where(and(eq(bookings.id, view.id), stateIs(bookings.status, 'hold')));
    await slotsChanged(ctx, view.specialist.id);
    throw err;
  }
}

/**
 * Cancel: by the client, refunded in full until 24 h before the start and not after; by the
 * specialist, always in full. The booking changes in one statement; the refund follows it
 * (and the cron retries a refund that could not reach the provider: refund = 'pending').
 */
export async function cancelBooking(ctx: Ctx, actor: Actor, id: string): Promise<BookingView> {
  if (!isId(id)) throw notFound('Booking');
  const now = ctx.services.now();
  const [cur] = await ctx.services.db.db
    .select()
    .from(bookings)
    .where(and(eq(bookings.id, id), or(eq(bookings.clientId, actor.id), eq(bookings.specialistId, actor.id))));
  if (!cur) throw notFound('Booking');
  const by = cur.specialistId === actor.id ? 'specialist' : 'client';
  if (cur.status === 'cancelled') return getBooking(ctx, actor, id);
  if (cur.status !== 'hold' && cur.status !== 'confirmed')
    throw conflict('Only an upcoming booking can be cancelled', { reason: 'not_cancellable', status: cur.status });
  if (cur.startsAt.getTime() <= now.getTime()) throw conflict('The session has already started', { reason: 'started' });
  const inTime = cur.startsAt.getTime() - now.getTime() >= FREE_CANCEL_HOURS * 3_600_000;
  const refundDue = cur.status === 'confirmed' && cur.paymentId !== null && cur.amount > 0 && (by === 'specialist' || inTime);
  const db = ctx.services.db.db;
  const [updated] = await db
    .update(bookings)
    .set({
      status: 'cancelled',
      cancelledAt: now,
      cancelledBy: by,
      holdExpiresAt: null,
      refund: refundDue ? 'pending' : 'none',
    })
    .where(and(eq(bookings.id, id), eq(bookings.status, cur.status)))
    .returning();
  if (!updated) throw conflict('The booking changed at the same time; try again', { reason: 'race' });
  const [tz] = await db.select({ tz: specialists.timeZone }).from(specialists).where(eq(specialists.id, cur.specialistId));
  const other = by === 'client' ? cur.specialistId : cur.clientId;
  const [n] = await bookingNote(db, other, 'cancelled', updated, tz?.tz ?? 'Asia/Almaty');
  publishNotifications(ctx, [n]);
  await slotsChanged(ctx, cur.specialistId);
  if (refundDue)
    await refundPaymentFor(ctx, updated).catch((err) => ctx.log.warn('booking refund deferred to the cron', { id, err: String(err) }));
  return getBooking(ctx, actor, id);
}

/**
 * Moves a booking to another slot in one UPDATE: the exclusion constraint checks the new
 * time against every other booking, so either the new slot is taken and the old freed at
 * once, or nothing changes (409 slot_taken).
 */
export async function rescheduleBooking(ctx: Ctx, actor: Actor, id: string, startsAtText: string): Promise<BookingView> {
  if (!isId(id)) throw notFound('Booking');
  const [cur] = await ctx.services.db.db
    .select()
    .from(bookings)
    .where(and(eq(bookings.id, id), or(eq(bookings.clientId, actor.id), eq(bookings.specialistId, actor.id))));
  if (!cur) throw notFound('Booking');
  if (cur.status !== 'confirmed')
    throw conflict('Only a confirmed upcoming booking can be moved', { reason: 'not_reschedulable', status: cur.status });
  if (cur.startsAt.getTime() <= ctx.services.now().getTime()) throw conflict('The session has already started', { reason: 'started' });
  const s = await loadSubject(ctx, cur.specialistId, cur.sessionTypeId).catch(() => {
    throw conflict('This session type is no longer offered', { reason: 'type_gone' });
  });
  const startsAt = Date.parse(startsAtText);
  await checkSlot(ctx, s, startsAt);
  const endsAt = startsAt + s.durationMinutes * MIN;
  let updated: Booking | undefined;
  try {
    [updated] = await ctx.services.db.db
      .update(bookings)
      .set({
        startsAt: new Date(startsAt),
        endsAt: new Date(endsAt),
        occupiedUntil: new Date(endsAt + s.bufferMinutes * MIN),
        reminded24At: null,
        reminded1At: null,
      })
      .where(and(eq(bookings.id, id), stateIs(bookings.status, 'confirmed')))
      .returning();
  } catch (err) {
    if (isExclusionViolation(err)) throw new AppError('slot_taken', 'This time is taken; pick another', { reason: 'slot_taken' });
    throw err;
  }
  if (!updated) throw conflict('The booking changed at the same time; try again', { reason: 'race' });
  const other = actor.id === cur.clientId ? cur.specialistId : cur.clientId;
  const [n] = await bookingNote(ctx.services.db.db, other, 'rescheduled', updated, s.timeZone);
  publishNotifications(ctx, [n]);
  await slotsChanged(ctx, cur.specialistId);
  return getBooking(ctx, actor, id);
}

/** The specialist records how a past session went: held or no-show, with a note for the client. */
export async function recordOutcome(ctx: Ctx, actor: Actor, id: string, input: OutcomeInput): Promise<BookingView> {
  if (!isId(id)) throw notFound('Booking');
  const db = ctx.services.db.db;
  const [cur] = await db
    .select()
    .from(bookings)
    .where(and(eq(bookings.id, id), eq(bookings.specialistId, actor.id)));
  if (!cur) throw notFound('Booking');
  if (cur.startsAt.getTime() > ctx.services.now().getTime()) throw conflict('The session has not started yet', { reason: 'not_started' });
  if (cur.status !== 'confirmed' && cur.status !== 'completed' && cur.status !== 'no_show')
    throw conflict('Only a confirmed session can be marked', { reason: 'not_markable', status: cur.status });
  if (cur.reviewRating && input.outcome === 'no_show') throw conflict('The client has reviewed this session', { reason: 'reviewed' });
  const [updated] = await db
    .update(bookings)
    .set({ status: input.outcome, note: input.note ?? cur.note })
    .where(and(eq(bookings.id, id), inArray(bookings.status, ['confirmed', 'completed', 'no_show'])))
    .returning();
  if (!updated) throw conflict('The booking changed at the same time; try again', { reason: 'race' });
  const [n] = await notificationInsert(db, {
    userId: cur.clientId,
    kind: 'booking',
    data: { event: input.outcome, bookingId: id, hasNote: !!updated.note },
    dedupeKey: `booking:${id}:outcome:${input.outcome}`,
  });
  publishNotifications(ctx, [n]);
  return getBooking(ctx, actor, id);
}

/** The client reviews a held session, once; the specialist's rating follows in the same statement. */
export async function reviewBooking(ctx: Ctx, actor: Actor, id: string, input: ReviewInput): Promise<BookingView> {
  if (!isId(id)) throw notFound('Booking');
  const rows = await ctx.services.db.db.execute<{ id: string; status: string; reviewed: boolean; rated: number }>(sql`
    with target as (
      select id, specialist_id, status, review_rating is not null as reviewed from bookings
      where id = ${id}::uuid and client_id = ${actor.id}::uuid
    ), reviewed as (
      update bookings set review_rating = ${input.rating}, review_text = ${input.text ?? null}, reviewed_at = now()
      -- Re-checked on the locked row: of concurrent reviews exactly one updates it.
      where id = (select id from target where status = 'completed' and not reviewed) and review_rating is null
      returning specialist_id
    ), rated as (
      update specialists set rating_sum = rating_sum + ${input.rating}, rating_count = rating_count + 1
      where id = (select specialist_id from reviewed)
      returning id
    )
    select t.id, t.status, t.reviewed, (select count(*) from rated) as rated from target t`);
  const t = rows.rows[0];
  if (!t) throw notFound('Booking');
  if (t.status !== 'completed') throw conflict('Only a held session can be reviewed', { reason: 'not_held', status: t.status });
  if (t.reviewed || Number(t.rated) === 0) throw conflict('You have already reviewed this session', { reason: 'already_reviewed' });
  const view = await getBooking(ctx, actor, id);
  await ctx.services.cache.bump(gens.directory);
  return view;
}

async function listBookings(ctx: Ctx, actor: Actor, as: 'client' | 'specialist', q: BookingsQuery): Promise<Page<BookingView>> {
  const owner = as === 'client' ? eq(bookings.clientId, actor.id) : eq(bookings.specialistId, actor.id);
  const upcoming = q.when === 'upcoming';
  const conds = [owner, upcoming ? sql`${bookings.endsAt} > now()` : sql`${bookings.endsAt} <= now()`];
  // A specialist's schedule leaves out what never happened (holds that lapsed).
  if (as === 'specialist') conds.push(sql`${bookings.status} <> 'expired'`);
  if (q.cursor) {
    const [at, cid] = await decodeTimeIdCursor(q.cursor, ctx.config.JWT_SECRET);
    conds.push(
      upcoming
        ? sql`(${bookings.startsAt}, ${bookings.id}) > (${at}::timestamptz, ${cid}::uuid)`
        : sql`(${bookings.startsAt}, ${bookings.id}) < (${at}::timestamptz, ${cid}::uuid)`,
    );
  }
  const rows = await viewQuery(ctx)
    .where(and(...conds))
    .orderBy(...(upcoming ? [bookings.startsAt, bookings.id] : [desc(bookings.startsAt), desc(bookings.id)]))
    .limit(q.limit + 1);
  const page = await toPage(rows, q.limit, (r) => [r.b.startsAt.toISOString(), r.b.id], ctx.config.JWT_SECRET);
  return { items: page.items.map((r) => toView(r, as)), nextCursor: page.nextCursor };
}

export const myBookings = (ctx: Ctx, actor: Actor, q: BookingsQuery) => listBookings(ctx, actor, 'client', q);
export const mySchedule = (ctx: Ctx, actor: Actor, q: BookingsQuery) => listBookings(ctx, actor, 'specialist', q);
