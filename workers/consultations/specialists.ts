/**
 * Specialist profiles, their weekly hours and the public directory. A verified teacher
 * writes a profile; it is listed once an admin verifies it.
 */
import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { SelectResultFields } from 'drizzle-orm/query-builders/select.types';
import { availabilityExceptions, availabilityRules, sessionTypes, specialists, users, type LocalizedBio } from '../../db/schema/index.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { decodeTaggedNullableTimeCursor, decodeTimeIdCursor, toPage, type Page } from '../lib/cursor.ts';
import { forbidden, notFound, validationError } from '../lib/errors.ts';
import { isExclusionViolation } from '../lib/pg-errors.ts';
import { exactTs } from '../lib/sql.ts';
import type {
  AdminSpecialistView,
  AdminSpecialistsQuery,
  Availability,
  AvailabilityInput,
  DirectoryQuery,
  Lang,
  OwnSpecialistView,
  ProfileInput,
  SpecialistView,
} from './schemas.ts';
import { overlappingRules } from './slots.ts';
import { repairOvertaken, slotsChanged } from './next-free.ts';
import { isTimeZone } from './zones.ts';

/** Cache generations: the directory as a whole, and one specialist's free time. */
export const gens = {
  directory: 'gen:specialists',
  slots: (specialistId: string) => `gen:slots:${specialistId}`,
};
const DIRECTORY_TTL_SEC = 300;

const localized = (t: LocalizedBio, lang: Lang) => t[lang] ?? t.ru ?? t.en ?? t.kk ?? '';

async function assertVerifiedTeacher(ctx: Ctx, actor: Actor) {
  if (actor.role !== 'teacher') throw forbidden('Only teachers can be specialists');
  const [u] = await ctx.services.db.db.select({ status: users.teacherStatus }).from(users).where(eq(users.id, actor.id));
  if (u?.status !== 'verified') throw forbidden('Your teacher account must be verified first');
}

/** Creates or updates the caller's profile; session types are matched by duration and price. */
export async function saveProfile(ctx: Ctx, actor: Actor, input: ProfileInput): Promise<OwnSpecialistView> {
  await assertVerifiedTeacher(ctx, actor);
  if (!isTimeZone(input.timeZone)) throw validationError({ timeZone: 'Unknown time zone' });
  const minPrice = input.sessionTypes.length ? Math.min(...input.sessionTypes.map((s) => s.price.amount)) : null;
  await ctx.services.db.transaction(async (tx) => {
    const values = {
      bio: input.bio,
      photoUrl: input.photoUrl ?? null,
      languages: input.languages,
      specialties: input.specialties,
      timeZone: input.timeZone,
      bufferMinutes: input.bufferMinutes,
      minPrice,
    };
    await tx
      .insert(specialists)
      .values({ id: actor.id, ...values })
      .onConflictDoUpdate({ target: specialists.id, set: values });
    const existing = await tx.select().from(sessionTypes).where(eq(sessionTypes.specialistId, actor.id));
    const keep = new Set<string>();
    for (const s of input.sessionTypes) {
      const same = existing.find(
        (e) => e.durationMinutes === s.durationMinutes && e.priceAmount === s.price.amount && e.currency === s.price.currency,
      );
      if (same) keep.add(same.id);
      else
        await tx.insert(sessionTypes).values({
          specialistId: actor.id,
          durationMinutes: s.durationMinutes,
          priceAmount: s.price.amount,
          currency: s.price.currency,
        });
    }
    // Old types stay for their bookings, no longer offered.
    for (const e of existing) {
      const active = keep.has(e.id);
      if (e.active !== active) await tx.update(sessionTypes).set({ active }).where(eq(sessionTypes.id, e.id));
    }
  });
  await ctx.services.cache.bump(gens.directory);
  await slotsChanged(ctx, actor.id);
  return getOwnProfile(ctx, actor);
}

/** Replaces the caller's weekly hours and exceptions in one transaction. */
export async function saveAvailability(ctx: Ctx, actor: Actor, input: AvailabilityInput): Promise<Availability> {
  const [sp] = await ctx.services.db.db.select({ id: specialists.id }).from(specialists).where(eq(specialists.id, actor.id));
  if (!sp) throw notFound('Specialist profile');
  const overlaps = overlappingRules(input.rules);
  if (overlaps.length) {
    const [a, b] = overlaps[0]!;
    throw validationError({ [`rules.${b}`]: `Overlaps rule ${a} on the same weekday` }, 'Availability rules overlap');
  }
  try {
    await ctx.services.db.transaction(async (tx) => {
      await tx.delete(availabilityRules).where(eq(availabilityRules.specialistId, actor.id));
      await tx.delete(availabilityExceptions).where(eq(availabilityExceptions.specialistId, actor.id));
      if (input.rules.length) await tx.insert(availabilityRules).values(input.rules.map((r) => ({ ...r, specialistId: actor.id })));
      if (input.exceptions.length)
        await tx.insert(availabilityExceptions).values(input.exceptions.map((e) => ({ ...e, specialistId: actor.id })));
    });
  } catch (err) {
    // Two saves racing each other: the constraint still refuses overlaps.
    if (isExclusionViolation(err)) throw validationError({ rules: 'Rules overlap' }, 'Availability rules overlap');
    throw err;
  }
  await slotsChanged(ctx, actor.id);
  return getAvailability(ctx, actor.id);
}

export async function getAvailability(ctx: Ctx, specialistId: string): Promise<Availability> {
  const db = ctx.services.db.db;
  const [rules, exceptions] = await db.batch([
    db
      .select({ weekday: availabilityRules.weekday, startMinute: availabilityRules.startMinute, endMinute: availabilityRules.endMinute })
      .from(availabilityRules)
      .where(eq(availabilityRules.specialistId, specialistId))
      .orderBy(asc(availabilityRules.weekday), asc(availabilityRules.startMinute)),
    db
      .select({
        date: availabilityExceptions.date,
        kind: availabilityExceptions.kind,
        startMinute: availabilityExceptions.startMinute,
        endMinute: availabilityExceptions.endMinute,
      })
      .from(availabilityExceptions)
      .where(eq(availabilityExceptions.specialistId, specialistId))
      .orderBy(asc(availabilityExceptions.date)),
  ]);
  return { rules, exceptions };
}

/** Admin: lists a specialist in the directory (or takes them out). */
export async function verifySpecialist(ctx: Ctx, actor: Actor, specialistId: string, verified: boolean): Promise<SpecialistView> {
  if (actor.role !== 'admin') throw forbidden();
  if (!isId(specialistId)) throw notFound('Specialist');
  const [row] = await ctx.services.db.db
    .update(specialists)
    .set({ verified, verifiedAt: verified ? ctx.services.now() : null })
    .where(eq(specialists.id, specialistId))
    .returning({ id: specialists.id });
  if (!row) throw notFound('Specialist');
  await ctx.services.cache.bump(gens.directory);
  // A profile listed for the first time gets its next free slot (it may predate the column).
  await slotsChanged(ctx, specialistId);
  return getSpecialistUncached(ctx, specialistId, 'ru', { includeUnverified: true });
}

const cardColumns = {
  id: specialists.id,
  name: users.name,
  bio: specialists.bio,
  photoUrl: specialists.photoUrl,
  languages: specialists.languages,
  specialties: specialists.specialties,
  timeZone: specialists.timeZone,
  bufferMinutes: specialists.bufferMinutes,
  ratingSum: specialists.ratingSum,
  ratingCount: specialists.ratingCount,
  verified: specialists.verified,
  nextFreeAt: specialists.nextFreeAt,
  createdAt: exactTs(specialists.createdAt),
};
/** A row of `cardColumns`, as drizzle types the select. */
type CardRow = SelectResultFields<typeof cardColumns>;

async function withTypes(ctx: Ctx, rows: CardRow[], lang: Lang): Promise<SpecialistView[]> {
  if (!rows.length) return [];
  const types = await ctx.services.db.read
    .select()
    .from(sessionTypes)
    .where(
      and(
        inArray(
          sessionTypes.specialistId,
          rows.map((r) => r.id),
        ),
        eq(sessionTypes.active, true),
      ),
    )
    .orderBy(asc(sessionTypes.durationMinutes), asc(sessionTypes.priceAmount));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    bio: localized(r.bio, lang),
    photoUrl: r.photoUrl,
    languages: r.languages,
    specialties: r.specialties,
    timeZone: r.timeZone,
    bufferMinutes: r.bufferMinutes,
    verified: r.verified,
    nextFreeAt: r.nextFreeAt?.toISOString() ?? null,
    rating: { average: r.ratingCount ? Math.round((r.ratingSum / r.ratingCount) * 100) / 100 : 0, count: r.ratingCount },
    sessionTypes: types
      .filter((t) => t.specialistId === r.id)
      .map((t) => ({ id: t.id, durationMinutes: t.durationMinutes, price: { amount: t.priceAmount, currency: t.currency } })),
  }));
}

async function getSpecialistUncached(ctx: Ctx, id: string, lang: Lang, opts: { includeUnverified?: boolean } = {}) {
  const [row] = await ctx.services.db.db
    .select(cardColumns)
    .from(specialists)
    .innerJoin(users, eq(users.id, specialists.id))
    .where(opts.includeUnverified ? eq(specialists.id, id) : and(eq(specialists.id, id), eq(specialists.verified, true)));
  if (!row) throw notFound('Specialist');
  return (await withTypes(ctx, [row], lang))[0]!;
}

/** A listed specialist's public profile (cached; a profile change bumps the directory generation). */
export async function getSpecialist(ctx: Ctx, id: string, lang: Lang): Promise<SpecialistView> {
  if (!isId(id)) throw notFound('Specialist');
  return ctx.services.cache.getOrLoad({
    family: 'specialist',
    key: `specialist:${id}:${lang}`,
    gens: [gens.directory],
    ttlSec: DIRECTORY_TTL_SEC,
    load: () => getSpecialistUncached(ctx, id, lang),
  });
}

/** The caller's own profile, listed or not, with every language's bio (404 when they have none yet). */
export async function getOwnProfile(ctx: Ctx, actor: Actor): Promise<OwnSpecialistView> {
  const view = await getSpecialistUncached(ctx, actor.id, 'ru', { includeUnverified: true });
  const [row] = await ctx.services.db.db.select({ bio: specialists.bio }).from(specialists).where(eq(specialists.id, actor.id));
  return { ...view, bios: row?.bio ?? {} };
}

/** Listed specialists, newest first, with filters; cached per query like the catalog. */
export async function listSpecialists(ctx: Ctx, q: DirectoryQuery): Promise<Page<SpecialistView>> {
  const page = await loadDirectoryPage(ctx, q);
  repairOvertaken(ctx, page.items);
  return page;
}

/**
 * The directory's next_free sort key: a specialist with no free slot sorts as 'infinity' (last).
 * The same expression as specialists_next_free_idx, so the planner uses that index.
 */
const nextFreeSort = sql`coalesce(${specialists.nextFreeAt}, 'infinity'::timestamptz)`;

/**
 * One page of the directory, keyset-paginated in either order: newest on (created_at, id)
 * descending (specialists_directory_idx); next_free on (next free slot or 'infinity', id)
 * ascending (specialists_next_free_idx): the soonest first, those with none last. Its cursor
 * names its order and carries null for "none free" (past the last free specialist).
 */
function loadDirectoryPage(ctx: Ctx, q: DirectoryQuery): Promise<Page<SpecialistView>> {
  // The default order keeps its cache key.
  const sortKey = q.sort === 'newest' ? '' : `:${q.sort}`;
  const key = `specialists:${q.lang}:${q.specialty ?? ''}:${q.language ?? ''}:${q.maxPrice ?? ''}:${q.freeWithinDays ?? ''}:${q.limit}:${q.cursor ?? ''}${sortKey}`;
  return ctx.services.cache.getOrLoad({
    family: 'specialists:list',
    key,
    gens: [gens.directory],
    ttlSec: DIRECTORY_TTL_SEC,
    load: async () => {
      const conds = [eq(specialists.verified, true)];
      if (q.specialty) conds.push(sql`${specialists.specialties} @> array[${q.specialty}]::text[]`);
      if (q.language) conds.push(sql`${specialists.languages} @> array[${q.language}]::text[]`);
      if (q.maxPrice !== undefined) conds.push(lte(specialists.minPrice, q.maxPrice));
      // The stored next free slot (./next-free.ts); the page is cached for minutes, which is
      // as precise as "within N days" needs.
      // (None free is 'infinity' here, never within N days; written as the index's expression.)
      if (q.freeWithinDays !== undefined) conds.push(sql`${nextFreeSort} <= now() + make_interval(days => ${q.freeWithinDays}::int)`);
      const bySoonest = q.sort === 'next_free';
      if (q.cursor && bySoonest) {
        const [at, id] = await decodeTaggedNullableTimeCursor(q.cursor, ctx.config.JWT_SECRET, q.sort);
        conds.push(sql`(${nextFreeSort}, ${specialists.id}) > (${at ?? 'infinity'}::timestamptz, ${id}::uuid)`);
      } else if (q.cursor) {
        const [at, id] = await decodeTimeIdCursor(q.cursor, ctx.config.JWT_SECRET);
        conds.push(sql`(${specialists.createdAt}, ${specialists.id}) < (${at}::timestamptz, ${id}::uuid)`);
      }
      const rows = await ctx.services.db.read
        .select({ ...cardColumns, nextFreeKey: sql<string | null>`${specialists.nextFreeAt}::text` })
        .from(specialists)
        .innerJoin(users, eq(users.id, specialists.id))
        .where(and(...conds))
        .orderBy(
          ...(bySoonest
            ? [sql`${nextFreeSort} asc`, sql`${specialists.id} asc`]
            : [sql`${specialists.createdAt} desc`, sql`${specialists.id} desc`]),
        )
        .limit(q.limit + 1);
      const page = await toPage(
        rows,
        q.limit,
        (r) => (bySoonest ? [q.sort, r.nextFreeKey, r.id] : [r.createdAt, r.id]),
        ctx.config.JWT_SECRET,
      );
      return { items: await withTypes(ctx, page.items, q.lang), nextCursor: page.nextCursor };
    },
  });
}

/**
 * Admin: profiles waiting to be listed (pending) or listed, newest first, with the owner's
 * email — the specialist side of the verification queue. Never cached: admins act on it.
 */
export async function listForAdmin(ctx: Ctx, actor: Actor, q: AdminSpecialistsQuery): Promise<Page<AdminSpecialistView>> {
  if (actor.role !== 'admin') throw forbidden();
  const conds = [eq(specialists.verified, q.status === 'listed')];
  if (q.cursor) {
    const [at, id] = await decodeTimeIdCursor(q.cursor, ctx.config.JWT_SECRET);
    conds.push(sql`(${specialists.createdAt}, ${specialists.id}) < (${at}::timestamptz, ${id}::uuid)`);
  }
  const rows = await ctx.services.db.db
    .select({ ...cardColumns, email: users.email })
    .from(specialists)
    .innerJoin(users, eq(users.id, specialists.id))
    .where(and(...conds))
    .orderBy(sql`${specialists.createdAt} desc`, sql`${specialists.id} desc`)
    .limit(q.limit + 1);
  const page = await toPage(rows, q.limit, (r) => [r.createdAt, r.id], ctx.config.JWT_SECRET);
  const views = await withTypes(ctx, page.items, 'ru');
  return {
    items: views.map((v, i) => ({ ...v, email: page.items[i]!.email, createdAt: page.items[i]!.createdAt })),
    nextCursor: page.nextCursor,
  };
}
