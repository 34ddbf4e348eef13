/**
 * Consultations' request and response shapes: the routes document them, the domain takes its
 * types from them (`z.infer`/`z.input`), and the site gets them through the generated api.gen.ts.
 */
import { z } from '@hono/zod-openapi';
import { PAYMENT_CURRENCIES } from '../../db/schema/payments.ts';
import { Language, PageQuery } from '../lib/openapi.ts';
import { text } from '../lib/text.ts';
import { isTimeZone } from './zones.ts';

/** A bad specialty slug etc. never reaches SQL. */
export const SPECIALTY = /^[a-z][a-z_]{1,39}$/;

export const Id = z.string().regex(/^[0-9a-f-]{36}$/i, 'Invalid id');
const Minute = z.number().int().min(0).max(1440);
const DateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use YYYY-MM-DD');
export const Instant = z
  .string()
  .max(40)
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)),
    'Use an ISO date-time with an offset, e.g. 2027-03-01T10:00:00Z',
  );
const Specialty = z.string().regex(SPECIALTY, 'Lower-case letters and _ (e.g. speech_therapist)');
const TimeZone = text().max(64).refine(isTimeZone, 'Unknown time zone (use an IANA name such as Asia/Almaty)');
const Money = z.object({ amount: z.number(), currency: z.string() });

export const SessionTypeInput = z
  .object({
    durationMinutes: z.number().int().min(15).max(240),
    price: z.object({ amount: z.number().int().min(0).max(100_000_000), currency: z.enum(PAYMENT_CURRENCIES) }).strict(),
  })
  .strict();

export const ProfileInput = z
  .object({
    bio: z
      .object({ ru: text({ multiline: true }).max(4000), kk: text({ multiline: true }).max(4000), en: text({ multiline: true }).max(4000) })
      .partial()
      .strict(),
    photoUrl: z.string().url().max(500).startsWith('https://', 'Use an https URL').nullable().optional(),
    languages: z.array(Language).min(1).max(3),
    specialties: z.array(Specialty).min(1).max(10),
    timeZone: TimeZone.default('Asia/Almaty'),
    bufferMinutes: z.number().int().min(0).max(120).default(10),
    // A type is kept by its length, price and currency (saveProfile): two equal ones would be one.
    sessionTypes: z
      .array(SessionTypeInput)
      .min(1)
      .max(6)
      .superRefine((types, ctx) => {
        const seen = new Map<string, number>();
        types.forEach((t, i) => {
          const key = `${t.durationMinutes}:${t.price.amount}:${t.price.currency}`;
          const first = seen.get(key);
          if (first === undefined) seen.set(key, i);
          else ctx.addIssue({ code: 'custom', path: [i], message: `The same as sessionTypes.${first}` });
        });
      }),
  })
  .strict();

export const RuleSchema = z
  .object({ weekday: z.number().int().min(1).max(7), startMinute: Minute, endMinute: Minute })
  .strict()
  .refine((r) => r.startMinute < r.endMinute, 'startMinute must be before endMinute');
export const ExceptionSchema = z
  .object({
    date: DateText,
    kind: z.enum(['off', 'extra']),
    startMinute: Minute.nullable().default(null),
    endMinute: Minute.nullable().default(null),
  })
  .strict()
  .refine(
    (e) =>
      (e.startMinute === null && e.endMinute === null && e.kind === 'off') ||
      (e.startMinute !== null && e.endMinute !== null && e.startMinute < e.endMinute),
    'Give start and end minutes (start before end); only a day off may leave both out',
  );
export const AvailabilityInput = z.object({ rules: z.array(RuleSchema).max(100), exceptions: z.array(ExceptionSchema).max(400) }).strict();

export const SessionTypeSchema = z.object({ id: z.string(), durationMinutes: z.number(), price: Money });
export const SpecialistSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    bio: z.string(),
    photoUrl: z.string().nullable(),
    languages: z.array(z.string()),
    specialties: z.array(z.string()),
    timeZone: z.string(),
    bufferMinutes: z.number(),
    sessionTypes: z.array(SessionTypeSchema),
    rating: z.object({ average: z.number(), count: z.number() }),
    verified: z.boolean(),
    /** The earliest bookable slot (any session type), kept up to date as bookings change; null: none within 60 days. */
    nextFreeAt: z.string().nullable(),
  })
  .openapi('Specialist');
/** The owner's own profile: also every language's bio, so the editor can show and keep them. */
export const OwnSpecialistSchema = SpecialistSchema.extend({
  bios: z.object({ ru: z.string().optional(), kk: z.string().optional(), en: z.string().optional() }),
}).openapi('OwnSpecialist');
export const AdminSpecialistSchema = SpecialistSchema.extend({ email: z.string(), createdAt: z.string() }).openapi('AdminSpecialist');
export const AvailabilitySchema = z
  .object({
    rules: z.array(z.object({ weekday: z.number(), startMinute: z.number(), endMinute: z.number() })),
    exceptions: z.array(
      z.object({ date: z.string(), kind: z.enum(['off', 'extra']), startMinute: z.number().nullable(), endMinute: z.number().nullable() }),
    ),
  })
  .openapi('Availability');
export const FreeSlotsSchema = z
  .object({
    timeZone: z.string(),
    sessionTypeId: z.string(),
    durationMinutes: z.number(),
    slots: z.array(z.object({ startsAt: z.string(), endsAt: z.string() })),
  })
  .openapi('FreeSlots');
export const BookingSchema = z
  .object({
    id: z.string(),
    specialist: z.object({ id: z.string(), name: z.string(), timeZone: z.string() }),
    client: z.object({ id: z.string(), name: z.string() }),
    child: z.object({ id: z.string(), name: z.string() }).nullable(),
    sessionTypeId: z.string(),
    durationMinutes: z.number(),
    startsAt: z.string(),
    endsAt: z.string(),
    status: z.enum(['hold', 'confirmed', 'expired', 'cancelled', 'completed', 'no_show']),
    holdExpiresAt: z.string().nullable(),
    price: Money,
    paymentId: z.string().nullable(),
    cancelledBy: z.string().nullable(),
    refund: z.enum(['none', 'pending', 'done']),
    /** The specialist's note after the session (its client and the specialist see it). */
    note: z.string().nullable(),
    review: z.object({ rating: z.number(), text: z.string().nullable() }).nullable(),
    createdAt: z.string(),
  })
  .openapi('Booking');
export const BookingResultSchema = z
  .object({
    booking: BookingSchema,
    /** For a paid booking: where to pay (the hosted checkout page). */
    payment: z.object({ id: z.string(), checkoutUrl: z.string().nullable(), status: z.string() }).nullable(),
  })
  .openapi('BookingResult');

export const BookInput = z
  .object({
    specialistId: Id,
    sessionTypeId: Id,
    startsAt: Instant,
    /** Omit to book for yourself. */
    childId: Id.optional(),
    lang: Language.default('ru'),
  })
  .strict();
export const DIRECTORY_SORTS = ['newest', 'next_free'] as const;
export const DirectoryQuery = PageQuery.extend({
  specialty: Specialty.optional(),
  language: Language.optional(),
  /** Only specialists with a session type at or below this price (minor units). */
  maxPrice: z.coerce.number().int().min(0).optional(),
  /** Only specialists with a free slot within this many days. */
  freeWithinDays: z.coerce.number().int().min(1).max(60).optional(),
  /** newest: newest profiles first; next_free: the soonest next free slot first, those with none last. */
  sort: z.enum(DIRECTORY_SORTS).default('newest'),
  lang: Language.default('ru'),
});
export const AdminSpecialistsQuery = PageQuery.extend({ status: z.enum(['pending', 'listed']).default('pending') });
export const SlotsQuery = z.object({ sessionTypeId: Id, from: DateText, to: DateText });
export const BookingsQuery = PageQuery.extend({
  /** upcoming: not yet ended, soonest first; past: the rest, latest first. */
  when: z.enum(['upcoming', 'past']).default('upcoming'),
});
export const OutcomeInput = z
  .object({ outcome: z.enum(['completed', 'no_show']), note: text({ multiline: true }).trim().max(2000).optional() })
  .strict();
export const ReviewInput = z
  .object({ rating: z.number().int().min(1).max(5), text: text({ multiline: true }).trim().max(2000).optional() })
  .strict();

export type Lang = z.infer<typeof Language>;
export type ProfileInput = z.infer<typeof ProfileInput>;
export type Rule = z.infer<typeof RuleSchema>;
export type Exception = z.infer<typeof ExceptionSchema>;
export type AvailabilityInput = z.infer<typeof AvailabilityInput>;
export type Availability = z.infer<typeof AvailabilitySchema>;
export type SpecialistView = z.infer<typeof SpecialistSchema>;
export type AdminSpecialistView = z.infer<typeof AdminSpecialistSchema>;
export type OwnSpecialistView = z.infer<typeof OwnSpecialistSchema>;
export type FreeSlots = z.infer<typeof FreeSlotsSchema>;
export type BookingView = z.infer<typeof BookingSchema>;
export type BookingResult = z.infer<typeof BookingResultSchema>;
export type BookInput = z.infer<typeof BookInput>;
export type DirectoryQuery = z.infer<typeof DirectoryQuery>;
export type AdminSpecialistsQuery = z.infer<typeof AdminSpecialistsQuery>;
export type SlotsQuery = z.infer<typeof SlotsQuery>;
export type BookingsQuery = z.infer<typeof BookingsQuery>;
export type OutcomeInput = z.infer<typeof OutcomeInput>;
export type ReviewInput = z.infer<typeof ReviewInput>;
