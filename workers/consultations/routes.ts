import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, ctxOf } from '../app.ts';
import { authenticate } from '../identity/auth.ts';
import { PAYMENT_CURRENCIES } from '../../db/schema/payments.ts';
import { IdParam, Language, PageQuery, errorResponses, json, jsonBody, pageOf } from '../lib/openapi.ts';
import { rateLimit } from '../lib/ratelimit-middleware.ts';
import { text } from '../lib/text.ts';
import { freeSlots } from './availability.ts';
import { book, cancelBooking, getBooking, myBookings, mySchedule, recordOutcome, rescheduleBooking, reviewBooking } from './bookings.ts';
import {
  SPECIALTY,
  getAvailability,
  getOwnProfile,
  getSpecialist,
  listSpecialists,
  saveAvailability,
  saveProfile,
  verifySpecialist,
} from './specialists.ts';
import { isTimeZone } from './zones.ts';

const Id = z.string().regex(/^[0-9a-f-]{36}$/i, 'Invalid id');
const Minute = z.number().int().min(0).max(1440);
const DateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use YYYY-MM-DD');
const Instant = z
  .string()
  .max(40)
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)),
    'Use an ISO date-time with an offset, e.g. 2027-03-01T10:00:00Z',
  );
const Specialty = z.string().regex(SPECIALTY, 'Lower-case letters and _ (e.g. speech_therapist)');
const TimeZone = text().max(64).refine(isTimeZone, 'Unknown time zone (use an IANA name such as Asia/Almaty)');

const ProfileInput = z
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
    sessionTypes: z
      .array(
        z
          .object({
            durationMinutes: z.number().int().min(15).max(240),
            price: z.object({ amount: z.number().int().min(0).max(100_000_000), currency: z.enum(PAYMENT_CURRENCIES) }).strict(),
          })
          .strict(),
      )
      .min(1)
      .max(6),
  })
  .strict();

const Rule = z
  .object({ weekday: z.number().int().min(1).max(7), startMinute: Minute, endMinute: Minute })
  .strict()
  .refine((r) => r.startMinute < r.endMinute, 'startMinute must be before endMinute');
const ExceptionInput = z
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
const Availability = z.object({ rules: z.array(Rule).max(100), exceptions: z.array(ExceptionInput).max(400) }).strict();

const SessionType = z.object({
  id: z.string(),
  durationMinutes: z.number(),
  price: z.object({ amount: z.number(), currency: z.string() }),
});
const Specialist = z
  .object({
    id: z.string(),
    name: z.string(),
    bio: z.string(),
    photoUrl: z.string().nullable(),
    languages: z.array(z.string()),
    specialties: z.array(z.string()),
    timeZone: z.string(),
    bufferMinutes: z.number(),
    sessionTypes: z.array(SessionType),
    rating: z.object({ average: z.number(), count: z.number() }),
    verified: z.boolean(),
  })
  .openapi('Specialist');
const AvailabilityView = z
  .object({
    rules: z.array(z.object({ weekday: z.number(), startMinute: z.number(), endMinute: z.number() })),
    exceptions: z.array(
      z.object({ date: z.string(), kind: z.enum(['off', 'extra']), startMinute: z.number().nullable(), endMinute: z.number().nullable() }),
    ),
  })
  .openapi('Availability');
const Slots = z
  .object({
    timeZone: z.string(),
    sessionTypeId: z.string(),
    durationMinutes: z.number(),
    slots: z.array(z.object({ startsAt: z.string(), endsAt: z.string() })),
  })
  .openapi('FreeSlots');
const Booking = z
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
    price: z.object({ amount: z.number(), currency: z.string() }),
    paymentId: z.string().nullable(),
    cancelledBy: z.string().nullable(),
    refund: z.enum(['none', 'pending', 'done']),
    note: z.string().nullable(),
    review: z.object({ rating: z.number(), text: z.string().nullable() }).nullable(),
    createdAt: z.string(),
  })
  .openapi('Booking');
const BookingResult = z
  .object({
    booking: Booking,
    payment: z.object({ id: z.string(), checkoutUrl: z.string().nullable(), status: z.string() }).nullable(),
  })
  .openapi('BookingResult');

const BookInput = z
  .object({
    specialistId: Id,
    sessionTypeId: Id,
    startsAt: Instant,
    /** Omit to book for yourself. */
    childId: Id.optional(),
    lang: Language.default('ru'),
  })
  .strict();
const DirectoryQuery = PageQuery.extend({
  specialty: Specialty.optional(),
  language: Language.optional(),
  maxPrice: z.coerce.number().int().min(0).optional(),
  lang: Language.default('ru'),
});
const SlotsQuery = z.object({ sessionTypeId: Id, from: DateText, to: DateText });
const BookingsQuery = PageQuery.extend({ when: z.enum(['upcoming', 'past']).default('upcoming') });
const Outcome = z
  .object({ outcome: z.enum(['completed', 'no_show']), note: text({ multiline: true }).trim().max(2000).optional() })
  .strict();
const ReviewInput = z
  .object({ rating: z.number().int().min(1).max(5), text: text({ multiline: true }).trim().max(2000).optional() })
  .strict();

/** Public, the same for everyone: shared caches may keep it briefly (our Redis cache absorbs the rest). */
const DIRECTORY_CACHE = { 'Cache-Control': 'public, max-age=0, s-maxage=60' };
const user = authenticate();
const teacher = authenticate(['teacher']);
const admin = authenticate(['admin']);

const r = {
  directory: createRoute({
    method: 'get',
    path: '/specialists',
    tags: ['consultations'],
    summary: 'Listed specialists, newest first; filter by specialty, language and price (minor units)',
    middleware: [rateLimit('catalog.read')] as const,
    request: { query: DirectoryQuery },
    responses: { 200: json(pageOf(Specialist)), ...errorResponses(400, 429) },
  }),
  profile: createRoute({
    method: 'get',
    path: '/specialists/{id}',
    tags: ['consultations'],
    summary: "A listed specialist's public profile",
    middleware: [rateLimit('catalog.read')] as const,
    request: { params: IdParam, query: z.object({ lang: Language.default('ru') }) },
    responses: { 200: json(Specialist), ...errorResponses(404, 429) },
  }),
  slots: createRoute({
    method: 'get',
    path: '/specialists/{id}/slots',
    tags: ['consultations'],
    summary: "Free slots of the local dates from..to (the specialist's zone), at least 12 h ahead and at most 60 days",
    middleware: [rateLimit('catalog.read')] as const,
    request: { params: IdParam, query: SlotsQuery },
    responses: { 200: json(Slots), ...errorResponses(400, 404, 429) },
  }),
  ownProfile: createRoute({
    method: 'get',
    path: '/specialist/profile',
    tags: ['consultations'],
    summary: 'Your specialist profile (listed or not)',
    middleware: [teacher] as const,
    responses: { 200: json(Specialist), ...errorResponses(401, 403, 404) },
  }),
  saveProfile: createRoute({
    method: 'put',
    path: '/specialist/profile',
    tags: ['consultations'],
    summary: 'Create or update your specialist profile (verified teachers); an admin lists it',
    middleware: [teacher] as const,
    request: { body: jsonBody(ProfileInput) },
    responses: { 200: json(Specialist), ...errorResponses(400, 401, 403) },
  }),
  availability: createRoute({
    method: 'get',
    path: '/specialist/availability',
    tags: ['consultations'],
    summary: 'Your weekly hours and exceptions',
    middleware: [teacher] as const,
    responses: { 200: json(AvailabilityView), ...errorResponses(401, 403) },
  }),
  saveAvailability: createRoute({
    method: 'put',
    path: '/specialist/availability',
    tags: ['consultations'],
    summary: "Replace your weekly hours (ISO weekday, minutes from local midnight in the profile's zone) and exceptions",
    middleware: [teacher] as const,
    request: { body: jsonBody(Availability) },
    responses: { 200: json(AvailabilityView), ...errorResponses(400, 401, 403, 404) },
  }),
  schedule: createRoute({
    method: 'get',
    path: '/specialist/schedule',
    tags: ['consultations'],
    summary: 'Your sessions as a specialist: upcoming (soonest first) or past',
    middleware: [teacher] as const,
    request: { query: BookingsQuery },
    responses: { 200: json(pageOf(Booking)), ...errorResponses(400, 401, 403) },
  }),
  verify: createRoute({
    method: 'post',
    path: '/admin/specialists/{id}/verify',
    tags: ['admin'],
    summary: 'List a specialist in the directory (verified: true) or take them out',
    middleware: [admin] as const,
    request: { params: IdParam, body: jsonBody(z.object({ verified: z.boolean() }).strict()) },
    responses: { 200: json(Specialist), ...errorResponses(400, 401, 403, 404) },
  }),
  book: createRoute({
    method: 'post',
    path: '/bookings',
    tags: ['consultations'],
    summary: 'Book a slot for your child or yourself: paid slots are held 15 minutes with a checkout, free ones confirmed',
    middleware: [user] as const,
    request: { body: jsonBody(BookInput) },
    responses: {
      201: json(BookingResult, 'Booked (held or confirmed)'),
      200: json(BookingResult, 'Your own booking of this slot, again'),
      ...errorResponses(400, 401, 404, 409, 429),
    },
  }),
  mine: createRoute({
    method: 'get',
    path: '/bookings',
    tags: ['consultations'],
    summary: 'Your bookings as a client: upcoming (soonest first) or past',
    middleware: [user] as const,
    request: { query: BookingsQuery },
    responses: { 200: json(pageOf(Booking)), ...errorResponses(400, 401) },
  }),
  one: createRoute({
    method: 'get',
    path: '/bookings/{id}',
    tags: ['consultations'],
    summary: 'One of your bookings (as its client or specialist)',
    middleware: [user] as const,
    request: { params: IdParam },
    responses: { 200: json(Booking), ...errorResponses(401, 404) },
  }),
  cancel: createRoute({
    method: 'post',
    path: '/bookings/{id}/cancel',
    tags: ['consultations'],
    summary: 'Cancel: the client is refunded in full until 24 h before, not after; the specialist always refunds in full',
    middleware: [user] as const,
    request: { params: IdParam },
    responses: { 200: json(Booking), ...errorResponses(401, 404, 409) },
  }),
  reschedule: createRoute({
    method: 'post',
    path: '/bookings/{id}/reschedule',
    tags: ['consultations'],
    summary: 'Move a confirmed booking to another free slot, atomically',
    middleware: [user] as const,
    request: { params: IdParam, body: jsonBody(z.object({ startsAt: Instant }).strict()) },
    responses: { 200: json(Booking), ...errorResponses(400, 401, 404, 409) },
  }),
  outcome: createRoute({
    method: 'post',
    path: '/bookings/{id}/outcome',
    tags: ['consultations'],
    summary: 'The specialist marks a past session held (completed) or no-show, with a note for the client',
    middleware: [teacher] as const,
    request: { params: IdParam, body: jsonBody(Outcome) },
    responses: { 200: json(Booking), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  review: createRoute({
    method: 'post',
    path: '/bookings/{id}/review',
    tags: ['consultations'],
    summary: 'The client reviews a held session once (1–5 stars)',
    middleware: [user] as const,
    request: { params: IdParam, body: jsonBody(ReviewInput) },
    responses: { 200: json(Booking), ...errorResponses(400, 401, 404, 409) },
  }),
};

export const consultationsRoutes = createRouter()
  .openapi(r.directory, async (c) => c.json(await listSpecialists(ctxOf(c), c.req.valid('query')), 200, DIRECTORY_CACHE))
  .openapi(r.profile, async (c) =>
    c.json(await getSpecialist(ctxOf(c), c.req.valid('param').id, c.req.valid('query').lang), 200, DIRECTORY_CACHE),
  )
  .openapi(r.slots, async (c) => c.json(await freeSlots(ctxOf(c), { specialistId: c.req.valid('param').id, ...c.req.valid('query') }), 200))
  .openapi(r.ownProfile, async (c) => c.json(await getOwnProfile(ctxOf(c), c.var.actor), 200))
  .openapi(r.saveProfile, async (c) => c.json(await saveProfile(ctxOf(c), c.var.actor, c.req.valid('json')), 200))
  .openapi(r.availability, async (c) => c.json(await getAvailability(ctxOf(c), c.var.actor.id), 200))
  .openapi(r.saveAvailability, async (c) => c.json(await saveAvailability(ctxOf(c), c.var.actor, c.req.valid('json')), 200))
  .openapi(r.schedule, async (c) => c.json(await mySchedule(ctxOf(c), c.var.actor, c.req.valid('query')), 200))
  .openapi(r.verify, async (c) =>
    c.json(await verifySpecialist(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json').verified), 200),
  )
  .openapi(r.book, async (c) => {
    const { status, body } = await book(ctxOf(c), c.var.actor, c.req.valid('json'));
    return status === 201 ? c.json(body, 201) : c.json(body, 200);
  })
  .openapi(r.mine, async (c) => c.json(await myBookings(ctxOf(c), c.var.actor, c.req.valid('query')), 200))
  .openapi(r.one, async (c) => c.json(await getBooking(ctxOf(c), c.var.actor, c.req.valid('param').id), 200))
  .openapi(r.cancel, async (c) => c.json(await cancelBooking(ctxOf(c), c.var.actor, c.req.valid('param').id), 200))
  .openapi(r.reschedule, async (c) =>
    c.json(await rescheduleBooking(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json').startsAt), 200),
  )
  .openapi(r.outcome, async (c) => c.json(await recordOutcome(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200))
  .openapi(r.review, async (c) => c.json(await reviewBooking(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
