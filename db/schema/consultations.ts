import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgEnum, pgTable, smallint, text, timestamp, uuid, date } from 'drizzle-orm/pg-core';
import { id, timestamps } from './columns.ts';
import { children, users } from './identity.ts';
import { payments } from './payments.ts';

/** Bio per site language. */
export type LocalizedBio = Partial<Record<'ru' | 'kk' | 'en', string>>;

/**
 * A verified teacher who also takes consultations. One row per user; listed in the
 * directory only once an admin has verified it (`verified`).
 */
export const specialists = pgTable(
  'specialists',
  {
    /** The specialist's user id (one profile per user). */
    id: uuid('id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    bio: jsonb('bio').$type<LocalizedBio>().notNull().default({}),
    photoUrl: text('photo_url'),
    languages: text('languages').array().notNull().default(sql`'{}'::text[]`),
    specialties: text('specialties').array().notNull().default(sql`'{}'::text[]`),
    /** IANA zone the weekly hours are written in. */
    timeZone: text('time_zone').notNull().default('Asia/Almaty'),
    /** Minutes kept free after each session. */
    bufferMinutes: smallint('buffer_minutes').notNull().default(10),
    verified: boolean('verified').notNull().default(false),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    /** Cheapest session type, for the directory's price filter (kept by the profile update). */
    minPrice: integer('min_price'),
    ratingSum: integer('rating_sum').notNull().default(0),
    ratingCount: integer('rating_count').notNull().default(0),
    /**
     * The earliest bookable slot (any offered session type), stored so the directory can filter
     * and show it in SQL without generating slots per request. Recomputed after every change of
     * the specialist's free time (workers/consultations/next-free.ts) and by the cron once the
     * clock passes it; null when nothing is free within the horizon.
     */
    nextFreeAt: timestamp('next_free_at', { withTimezone: true }),
    /** Start of the transaction that computed next_free_at: an older computation never overwrites a newer one. */
    nextFreeCheckedAt: timestamp('next_free_checked_at', { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    // The directory's next_free order and "free within N days" filter. None free sorts as
    // 'infinity', so one row comparison is the keyset condition of every page (an index range)
    // instead of "(at, id) > cursor or at is null", which filters everything before the cursor.
    index('specialists_next_free_idx').on(sql`coalesce(${t.nextFreeAt}, 'infinity'::timestamptz)`, t.id).where(sql`${t.verified}`),
    index('specialists_directory_idx').on(t.createdAt.desc(), t.id.desc()).where(sql`${t.verified}`),
    index('specialists_specialties_idx').using('gin', t.specialties),
    index('specialists_languages_idx').using('gin', t.languages),
    check('specialists_buffer_check', sql`${t.bufferMinutes} between 0 and 120`),
  ],
);

/** What can be booked: a duration at a price (minor units); price 0 is a free consultation. */
export const sessionTypes = pgTable(
  'specialist_session_types',
  {
    id: id(),
    specialistId: uuid('specialist_id')
      .notNull()
      .references(() => specialists.id, { onDelete: 'cascade' }),
    durationMinutes: smallint('duration_minutes').notNull(),
    priceAmount: integer('price_amount').notNull(),
    currency: text('currency').notNull().default('KZT'),
    /** Archived types stay for old bookings but are not offered. */
    active: boolean('active').notNull().default(true),
    ...timestamps(),
  },
  (t) => [
    index('session_types_specialist_idx').on(t.specialistId),
    check('session_types_duration_check', sql`${t.durationMinutes} between 15 and 240`),
    check('session_types_price_check', sql`${t.priceAmount} >= 0`),
    check('session_types_currency_check', sql`${t.currency} in ('KZT', 'RUB', 'USD')`),
  ],
);

/**
 * Weekly hours in the specialist's zone: ISO weekday (1 = Monday) and minutes from local
 * midnight. Overlapping rules of one weekday are refused by an exclusion constraint
 * (appended to the migration).
 */
export const availabilityRules = pgTable(
  'availability_rules',
  {
    id: id(),
    specialistId: uuid('specialist_id')
      .notNull()
      .references(() => specialists.id, { onDelete: 'cascade' }),
    weekday: smallint('weekday').notNull(),
    startMinute: smallint('start_minute').notNull(),
    endMinute: smallint('end_minute').notNull(),
  },
  (t) => [
    index('availability_rules_specialist_idx').on(t.specialistId),
    check('availability_rules_weekday_check', sql`${t.weekday} between 1 and 7`),
    check('availability_rules_range_check', sql`${t.startMinute} >= 0 and ${t.endMinute} <= 1440 and ${t.startMinute} < ${t.endMinute}`),
  ],
);

export const availabilityExceptionKind = pgEnum('availability_exception_kind', ['off', 'extra']);

/** A local date that differs from the weekly hours: a day (or part of it) off, or extra hours. */
export const availabilityExceptions = pgTable(
  'availability_exceptions',
  {
    id: id(),
    specialistId: uuid('specialist_id')
      .notNull()
      .references(() => specialists.id, { onDelete: 'cascade' }),
    date: date('date', { mode: 'string' }).notNull(),
    kind: availabilityExceptionKind('kind').notNull(),
    /** Null with null end: the whole day (only for 'off'). */
    startMinute: smallint('start_minute'),
    endMinute: smallint('end_minute'),
  },
  (t) => [
    index('availability_exceptions_specialist_idx').on(t.specialistId, t.date),
    check(
      'availability_exceptions_range_check',
      sql`(${t.startMinute} is null and ${t.endMinute} is null and ${t.kind} = 'off') or (${t.startMinute} >= 0 and ${t.endMinute} <= 1440 and ${t.startMinute} < ${t.endMinute})`,
    ),
  ],
);

/**
 * hold (15 min while paying) → confirmed → completed | no_show; hold → expired; hold or
 * confirmed → cancelled. Only hold and confirmed occupy time (the exclusion constraint).
 */
export const bookingStatusEnum = pgEnum('booking_status', ['hold', 'confirmed', 'expired', 'cancelled', 'completed', 'no_show']);

export const bookings = pgTable(
  'bookings',
  {
    id: id(),
    specialistId: uuid('specialist_id')
      .notNull()
      .references(() => specialists.id, { onDelete: 'cascade' }),
    clientId: uuid('client_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The child the session is for; null when the client books for themself. */
    childId: uuid('child_id').references(() => children.id, { onDelete: 'cascade' }),
    sessionTypeId: uuid('session_type_id')
      .notNull()
      .references(() => sessionTypes.id, { onDelete: 'cascade' }),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    /**
     * End of the session plus the specialist's buffer: the time this booking keeps free. A
     * column, not an expression, because timestamptz + interval is not immutable (not indexable).
     */
    occupiedUntil: timestamp('occupied_until', { withTimezone: true }).notNull(),
    status: bookingStatusEnum('status').notNull(),
    holdExpiresAt: timestamp('hold_expires_at', { withTimezone: true }),
    /** Price copied at booking (minor units). */
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    paymentId: uuid('payment_id').references(() => payments.id, { onDelete: 'set null' }),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    cancelledBy: text('cancelled_by').$type<'client' | 'specialist' | 'system'>(),
    /** none | pending (the provider refund is owed; the cron retries) | done. */
    refund: text('refund').$type<'none' | 'pending' | 'done'>().notNull().default('none'),
    reminded24At: timestamp('reminded_24_at', { withTimezone: true }),
    reminded1At: timestamp('reminded_1_at', { withTimezone: true }),
    /** The specialist's note after the session: shown to the client only. */
    note: text('note'),
    reviewRating: smallint('review_rating'),
    reviewText: text('review_text'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    index('bookings_client_idx').on(t.clientId, t.startsAt.desc(), t.id.desc()),
    index('bookings_specialist_idx').on(t.specialistId, t.startsAt, t.id),
    index('bookings_hold_idx').on(t.holdExpiresAt).where(sql`${t.status} = 'hold'`),
    index('bookings_reminder_idx').on(t.startsAt).where(sql`${t.status} = 'confirmed'`),
    index('bookings_refund_idx').on(t.updatedAt).where(sql`${t.refund} = 'pending'`),
    check('bookings_range_check', sql`${t.startsAt} < ${t.endsAt} and ${t.endsAt} <= ${t.occupiedUntil}`),
    check('bookings_review_check', sql`${t.reviewRating} is null or ${t.reviewRating} between 1 and 5`),
    check('bookings_hold_check', sql`${t.status} <> 'hold' or ${t.holdExpiresAt} is not null`),
  ],
);

export type Specialist = typeof specialists.$inferSelect;
export type SessionType = typeof sessionTypes.$inferSelect;
export type AvailabilityRule = typeof availabilityRules.$inferSelect;
export type AvailabilityException = typeof availabilityExceptions.$inferSelect;
export type Booking = typeof bookings.$inferSelect;
export type BookingStatus = Booking['status'];
