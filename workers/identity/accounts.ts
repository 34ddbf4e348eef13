import { and, eq, isNull, sql } from 'drizzle-orm';
import { refreshTokens, users, type Language, type LocalizedText, type User } from '../../db/schema/index.ts';
import { z } from 'zod';
import type { Ctx } from '../lib/context.ts';
import { queryRows } from '../lib/sql.ts';
import { AppError, validationError } from '../lib/errors.ts';
import { forgive, hit, peek, rateLimited } from '../lib/ratelimit.ts';
import { isUniqueViolation } from '../lib/pg-errors.ts';
import { registrationConsents } from '../consent/consent.ts';
import { courseChanged } from '../catalog/invalidation.ts';
import { removeReportFiles } from '../reports/reports.ts';
import { assertNotBackedOff, forgetFailures, recordFailure } from './backoff.ts';
import { passwordProblem } from './password-policy.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from './password.ts';
import type { PublicUser, SessionTokens } from './schemas.ts';
import { prepareSession, revokeLiveAccessTokens, startSession } from './sessions.ts';

export function toPublicUser(u: User): PublicUser {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    language: u.language,
    role: u.role,
    teacherStatus: u.teacherStatus,
    createdAt: u.createdAt.toISOString(),
    lastActiveAt: u.lastActiveAt ? new Date(u.lastActiveAt).toISOString() : null,
    emailVerified: u.emailVerifiedAt !== null,
    avatarUrl: u.avatarUrl,
    bio: u.bio ?? {},
  };
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

function assertPassword(password: string, field = 'password') {
  const problem = passwordProblem(password);
  if (problem) throw validationError({ [field]: problem }, problem);
}

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
  language: Language;
  role: 'learner' | 'parent' | 'teacher';
  ip: string;
  /** Versions of the terms and privacy notice the user accepted (recorded with the account). */
  consent?: { terms: string; privacy: string };
}

/** Creates the account and its first session in one transaction (a batch). */
export async function register(ctx: Ctx, input: RegisterInput): Promise<{ user: PublicUser; tokens: SessionTokens }> {
  const ipLimit = await hit(ctx.services.redis, 'auth.register.ip', input.ip);
  if (!ipLimit.allowed) throw rateLimited(ipLimit, 'Too many registrations from this address, try later');
  assertPassword(input.password);
  const id = crypto.randomUUID();
  const role = input.role;
  const passwordHash = await hashPassword(input.password, ctx.config.PASSWORD_PEPPER);
  const { row, tokens } = await prepareSession(ctx, { id, role });
  const { db } = ctx.services.db;
  try {
    const [inserted] = await db.batch([
      db
        .insert(users)
        .values({
          id,
          email: normalizeEmail(input.email),
          passwordHash,
          name: input.name.trim(),
          language: input.language,
          role,
          teacherStatus: role === 'teacher' ? 'pending' : 'none',
          // Public sign-ups prove the address through the emailed link (identity/recovery.ts).
          emailVerifiedAt: null,
        })
        .returning(),
      db.insert(refreshTokens).values(row),
      ...(input.consent ? [registrationConsents(db, id, input.consent, ctx.services.now())] : []),
    ]);
    return { user: toPublicUser(inserted[0]!), tokens };
  } catch (err) {
    if (isUniqueViolation(err, 'users_email_key')) {
      throw new AppError('already_exists', 'An account with this email already exists', { fields: { email: 'already registered' } });
    }
    throw err;
  }
}

export interface LoginInput {
  email: string;
  password: string;
  ip: string;
}

/**
 * Verifies credentials under three limits: failures per account+IP (a brake on one
 * address), attempts per IP, and the per-account back-off (backoff.ts) that no number of
 * addresses gets around. The answer and its timing are the same whether or not the email
 * exists (the back-off is keyed by the email, so unknown ones are slowed down too).
 */
export async function login(ctx: Ctx, input: LoginInput): Promise<{ user: PublicUser; tokens: SessionTokens }> {
  const email = normalizeEmail(input.email);
  const failureKey = `${email}|${input.ip}`;
  const { redis } = ctx.services;
  // One round trip's worth of waiting for all three checks.
  const backedOff = assertNotBackedOff(ctx, 'login', email, 'Too many failed attempts for this account, try again later').then(
    () => undefined,
    (err: unknown) => err,
  );
  const [failures, perIp, backoffError] = await Promise.all([
    peek(redis, 'auth.login.failures', failureKey),
    hit(redis, 'auth.login.ip', input.ip),
    backedOff,
  ]);
  if (!failures.allowed) throw rateLimited(failures, 'Too many failed attempts, try again later');
  if (!perIp.allowed) throw rateLimited(perIp, 'Too many login attempts from this address, try again later');
  if (backoffError) throw backoffError;

  const [user] = await ctx.services.db.db.select().from(users).where(eq(users.email, email)).limit(1);
  const verdict = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_HASH, ctx.config.PASSWORD_PEPPER);
  if (!user || !verdict.ok) {
    const [after, waitSec] = await Promise.all([hit(redis, 'auth.login.failures', failureKey), recordFailure(ctx, 'login', email)]);
    const retryAfter = Math.max(after.allowed ? 0 : Math.max(1, Math.ceil((after.reset - Date.now()) / 1000)), waitSec);
    throw new AppError(
      'invalid_credentials',
      'Email or password is incorrect',
      undefined,
      retryAfter ? { 'Retry-After': String(retryAfter) } : undefined,
    );
  }
  await Promise.all([forgive(redis, 'auth.login.failures', failureKey), forgetFailures(ctx, 'login', email)]);
  if (verdict.needsRehash) {
    // Parameters were raised since this hash was made: upgrade it now that we know the password.
    const passwordHash = await hashPassword(input.password, ctx.config.PASSWORD_PEPPER);
    ctx.defer(ctx.services.db.db.update(users).set({ passwordHash }).where(eq(users.id, user.id)));
  }
  const tokens = await startSession(ctx, user);
  return { user: toPublicUser(user), tokens };
}

export async function getUser(ctx: Ctx, userId: string): Promise<User> {
  const [user] = await ctx.services.db.db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!user) throw new AppError('unauthorized', 'This account no longer exists');
  return user;
}

export async function updateProfile(
  ctx: Ctx,
  userId: string,
  patch: { name?: string; language?: Language; bio?: LocalizedText },
): Promise<PublicUser> {
  const set: Partial<Pick<User, 'name' | 'language' | 'bio'>> = {};
  if (patch.name !== undefined) set.name = patch.name.trim();
  if (patch.language !== undefined) set.language = patch.language;
  if (patch.bio !== undefined) {
    // An empty text removes that language; no text at all clears the bio.
    const bio = Object.fromEntries(Object.entries(patch.bio).flatMap(([l, v]) => (v?.trim() ? [[l, v.trim()]] : [])));
    set.bio = Object.keys(bio).length ? bio : null;
  }
  if (!Object.keys(set).length) return toPublicUser(await getUser(ctx, userId));
  const [user] = await ctx.services.db.db.update(users).set(set).where(eq(users.id, userId)).returning();
  if (!user) throw new AppError('unauthorized', 'This account no longer exists');
  return toPublicUser(user);
}

/** The current-password check behind password change and account deletion: limited per IP and backed off per account, like login. */
async function assertCurrentPassword(ctx: Ctx, user: User, password: string, ip: string, field: string) {
  const perIp = await hit(ctx.services.redis, 'auth.password.ip', ip);
  if (!perIp.allowed) throw rateLimited(perIp, 'Too many password checks from this address, try again later');
  await assertNotBackedOff(ctx, 'password', user.id, 'Too many wrong passwords, try again later');
  const verdict = await verifyPassword(password, user.passwordHash, ctx.config.PASSWORD_PEPPER);
  if (!verdict.ok) {
    const waitSec = await recordFailure(ctx, 'password', user.id);
    throw new AppError(
      'invalid_credentials',
      'The current password is incorrect',
      { fields: { [field]: 'incorrect' } },
      waitSec ? { 'Retry-After': String(waitSec) } : undefined,
    );
  }
  await forgetFailures(ctx, 'password', user.id);
}

/**
 * Changes the password and revokes every session of the account (all refresh-token
 * families and, through Redis, live access tokens); answers with a fresh session.
 */
export async function changePassword(
  ctx: Ctx,
  userId: string,
  input: { currentPassword: string; newPassword: string; ip: string },
): Promise<SessionTokens> {
  const user = await getUser(ctx, userId);
  await assertCurrentPassword(ctx, user, input.currentPassword, input.ip, 'currentPassword');
  assertPassword(input.newPassword, 'newPassword');
  const passwordHash = await hashPassword(input.newPassword, ctx.config.PASSWORD_PEPPER);
  const now = ctx.services.now();
  const { db } = ctx.services.db;
  // Issued after `now`, the new session's token survives the revocation marker written below.
  const { row, tokens } = await prepareSession(ctx, user);
  await db.batch([
    db.update(users).set({ passwordHash }).where(eq(users.id, userId)),
    db
      .update(refreshTokens)
      .set({ revokedAt: now })
      .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt))),
    db.insert(refreshTokens).values(row),
  ]);
  await revokeLiveAccessTokens(ctx, userId, now);
  return tokens;
}

/**
 * Deletes the account; children and everything else owned by it go with it (FK cascades),
 * report PDFs too. The courses it was enrolled in or had a visible review on give back
 * their counters (enrollmentCount, rating sum/count/average) in the same statement as the
 * delete, so a deleted account leaves no rating or enrollment nobody can see or undo. Its own
 * courses that were ever public leave tombstones (their pages answer 410 Gone).
 */
const DeletedAccountRow = z.object({ keys: z.array(z.string()), courses: z.array(z.string()), own: z.array(z.string()) });

/** Answers the courses whose counters changed or that were deleted with it (the route drops their edge copies). */
export async function deleteAccount(ctx: Ctx, userId: string, password: string, ip: string): Promise<{ courses: string[] }> {
  const user = await getUser(ctx, userId);
  await assertCurrentPassword(ctx, user, password, ip, 'password');
  // Every CTE reads the same snapshot: the reviews, enrollments and report keys as they were
  // before the cascade. One UPDATE per course (a row may not be updated twice in a statement);
  // the user's own courses go with the cascade and leave only tombstones.
  const [row] = await queryRows(
    ctx.services.db.db,
    sql`with r as (
          select course_id, sum(rating)::int as s, count(*)::int as n from reviews
          where user_id = ${userId}::uuid and not hidden group by course_id
        ), e as (
          select course_id from enrollments where user_id = ${userId}::uuid
        ), affected as (
          select c.id, coalesce(r.s, 0) as s, coalesce(r.n, 0) as n, (e.course_id is not null)::int as en
          from courses c left join r on r.course_id = c.id left join e on e.course_id = c.id
          where (r.course_id is not null or e.course_id is not null) and c.teacher_id <> ${userId}::uuid
        ), counted as (
          update courses set
            rating_sum = rating_sum - a.s,
            rating_count = rating_count - a.n,
            rating_avg = case when rating_count - a.n > 0 then round((rating_sum - a.s)::numeric / (rating_count - a.n), 2) else 0 end,
            enrollment_count = greatest(enrollment_count - a.en, 0)
          from affected a where courses.id = a.id
          returning courses.id
        ), gone as (delete from users where id = ${userId}::uuid returning id
        ), tombs as (
          -- The account's own courses go with the cascade; those that were public once answer 410 Gone, as after deleteCourse.
          insert into course_tombstones (course_id)
          select id from courses where teacher_id = ${userId}::uuid and published_at is not null and exists (select 1 from gone)
          on conflict do nothing returning course_id
        )
        select array(select storage_key from reports where user_id = ${userId}::uuid and exists (select 1 from gone)) as keys,
          array(select id::text from counted) as courses, array(select course_id::text from tombs) as own`,
    DeletedAccountRow,
  );
  await revokeLiveAccessTokens(ctx, userId);
  // The changed courses' cached pages (detail, reviews), the deleted ones' pages, and the lists that show them.
  const changed = [...(row?.courses ?? []), ...(row?.own ?? [])];
  if (changed.length) await Promise.all(changed.map((id, i) => courseChanged(ctx, id, { listed: i === 0 })));
  await removeReportFiles(ctx, row?.keys ?? []);
  return { courses: changed };
}
