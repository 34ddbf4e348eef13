import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, ctxOf } from '../app.ts';
import { authenticate } from '../identity/auth.ts';
import { IdParam, Language, errorResponses, json, jsonBody, pageOf } from '../lib/openapi.ts';
import { rateLimit } from '../lib/ratelimit-middleware.ts';
import { freeSlots } from './availability.ts';
import { book, cancelBooking, getBooking, myBookings, mySchedule, recordOutcome, rescheduleBooking, reviewBooking } from './bookings.ts';
import {
  AdminSpecialistSchema,
  AdminSpecialistsQuery,
  AvailabilityInput,
  AvailabilitySchema,
  BookInput,
  BookingResultSchema,
  BookingSchema,
  BookingsQuery,
  DirectoryQuery,
  FreeSlotsSchema,
  Instant,
  OutcomeInput,
  OwnSpecialistSchema,
  ProfileInput,
  ReviewInput,
  SlotsQuery,
  SpecialistSchema,
} from './schemas.ts';
import {
  getAvailability,
  getOwnProfile,
  getSpecialist,
  listForAdmin,
  listSpecialists,
  saveAvailability,
  saveProfile,
  verifySpecialist,
} from './specialists.ts';

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
    summary:
      'Listed specialists, newest first or by the soonest free slot (sort=next_free: none last); filter by specialty, language, price (minor units) and a free slot within N days',
    middleware: [rateLimit('catalog.read')] as const,
    request: { query: DirectoryQuery },
    responses: { 200: json(pageOf(SpecialistSchema)), ...errorResponses(400, 429) },
  }),
  profile: createRoute({
    method: 'get',
    path: '/specialists/{id}',
    tags: ['consultations'],
    summary: "A listed specialist's public profile",
    middleware: [rateLimit('catalog.read')] as const,
    request: { params: IdParam, query: z.object({ lang: Language.default('ru') }) },
    responses: { 200: json(SpecialistSchema), ...errorResponses(404, 429) },
  }),
  slots: createRoute({
    method: 'get',
    path: '/specialists/{id}/slots',
    tags: ['consultations'],
    summary: "Free slots of the local dates from..to (the specialist's zone), at least 12 h ahead and at most 60 days",
    middleware: [rateLimit('catalog.read')] as const,
    request: { params: IdParam, query: SlotsQuery },
    responses: { 200: json(FreeSlotsSchema), ...errorResponses(400, 404, 429) },
  }),
  ownProfile: createRoute({
    method: 'get',
    path: '/specialist/profile',
    tags: ['consultations'],
    summary: 'Your specialist profile (listed or not)',
    middleware: [teacher] as const,
    responses: { 200: json(OwnSpecialistSchema), ...errorResponses(401, 403, 404) },
  }),
  saveProfile: createRoute({
    method: 'put',
    path: '/specialist/profile',
    tags: ['consultations'],
    summary: 'Create or update your specialist profile (verified teachers); an admin lists it',
    middleware: [teacher] as const,
    request: { body: jsonBody(ProfileInput) },
    responses: { 200: json(OwnSpecialistSchema), ...errorResponses(400, 401, 403) },
  }),
  availability: createRoute({
    method: 'get',
    path: '/specialist/availability',
    tags: ['consultations'],
    summary: 'Your weekly hours and exceptions',
    middleware: [teacher] as const,
    responses: { 200: json(AvailabilitySchema), ...errorResponses(401, 403) },
  }),
  saveAvailability: createRoute({
    method: 'put',
    path: '/specialist/availability',
    tags: ['consultations'],
    summary: "Replace your weekly hours (ISO weekday, minutes from local midnight in the profile's zone) and exceptions",
    middleware: [teacher] as const,
    request: { body: jsonBody(AvailabilityInput) },
    responses: { 200: json(AvailabilitySchema), ...errorResponses(400, 401, 403, 404) },
  }),
  schedule: createRoute({
    method: 'get',
    path: '/specialist/schedule',
    tags: ['consultations'],
    summary: 'Your sessions as a specialist: upcoming (soonest first) or past',
    middleware: [teacher] as const,
    request: { query: BookingsQuery },
    responses: { 200: json(pageOf(BookingSchema)), ...errorResponses(400, 401, 403) },
  }),
  adminList: createRoute({
    method: 'get',
    path: '/admin/specialists',
    tags: ['admin'],
    summary: 'Specialist profiles waiting to be listed (pending) or listed, newest first',
    middleware: [admin] as const,
    request: { query: AdminSpecialistsQuery },
    responses: { 200: json(pageOf(AdminSpecialistSchema)), ...errorResponses(400, 401, 403) },
  }),
  verify: createRoute({
    method: 'post',
    path: '/admin/specialists/{id}/verify',
    tags: ['admin'],
    summary: 'List a specialist in the directory (verified: true) or take them out',
    middleware: [admin] as const,
    request: { params: IdParam, body: jsonBody(z.object({ verified: z.boolean() }).strict()) },
    responses: { 200: json(SpecialistSchema), ...errorResponses(400, 401, 403, 404) },
  }),
  book: createRoute({
    method: 'post',
    path: '/bookings',
    tags: ['consultations'],
    summary: 'Book a slot for your child or yourself: paid slots are held 15 minutes with a checkout, free ones confirmed',
    middleware: [user] as const,
    request: { body: jsonBody(BookInput) },
    responses: {
      201: json(BookingResultSchema, 'Booked (held or confirmed)'),
      200: json(BookingResultSchema, 'Your own booking of this slot, again'),
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
    responses: { 200: json(pageOf(BookingSchema)), ...errorResponses(400, 401) },
  }),
  one: createRoute({
    method: 'get',
    path: '/bookings/{id}',
    tags: ['consultations'],
    summary: 'One of your bookings (as its client or specialist)',
    middleware: [user] as const,
    request: { params: IdParam },
    responses: { 200: json(BookingSchema), ...errorResponses(401, 404) },
  }),
  cancel: createRoute({
    method: 'post',
    path: '/bookings/{id}/cancel',
    tags: ['consultations'],
    summary: 'Cancel: the client is refunded in full until 24 h before, not after; the specialist always refunds in full',
    middleware: [user] as const,
    request: { params: IdParam },
    responses: { 200: json(BookingSchema), ...errorResponses(401, 404, 409) },
  }),
  reschedule: createRoute({
    method: 'post',
    path: '/bookings/{id}/reschedule',
    tags: ['consultations'],
    summary: 'Move a confirmed booking to another free slot, atomically',
    middleware: [user] as const,
    request: { params: IdParam, body: jsonBody(z.object({ startsAt: Instant }).strict()) },
    responses: { 200: json(BookingSchema), ...errorResponses(400, 401, 404, 409) },
  }),
  outcome: createRoute({
    method: 'post',
    path: '/bookings/{id}/outcome',
    tags: ['consultations'],
    summary: 'The specialist marks a past session held (completed) or no-show, with a note for the client',
    middleware: [teacher] as const,
    request: { params: IdParam, body: jsonBody(OutcomeInput) },
    responses: { 200: json(BookingSchema), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  review: createRoute({
    method: 'post',
    path: '/bookings/{id}/review',
    tags: ['consultations'],
    summary: 'The client reviews a held session once (1–5 stars)',
    middleware: [user] as const,
    request: { params: IdParam, body: jsonBody(ReviewInput) },
    responses: { 200: json(BookingSchema), ...errorResponses(400, 401, 404, 409) },
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
  .openapi(r.adminList, async (c) => c.json(await listForAdmin(ctxOf(c), c.var.actor, c.req.valid('query')), 200))
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
