/**
 * Account recovery and email verification: single-use tokens sent by email.
 * Only SHA-256 hashes of tokens are stored; a token is consumed by the same statement that
 * acts on it (`used_at is null and expires_at > now`), so two clicks cannot both succeed.
 */
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { authTokens, users, type Language } from '../../db/schema/index.ts';
import { sendEmailLater } from '../email/send.ts';
import type { Ctx } from '../lib/context.ts';
import { AppError, validationError } from '../lib/errors.ts';
import { errorFields } from '../lib/logger.ts';
import { hit, rateLimited } from '../lib/ratelimit.ts';
import { normalizeEmail } from './accounts.ts';
import { passwordProblem } from './password-policy.ts';
import { hashPassword } from './password.ts';
import { revokeLiveAccessTokens } from './sessions.ts';
import { hashToken, newRefreshToken } from './tokens.ts';

export const RESET_TTL_MIN = 30;
export const VERIFY_TTL_DAYS = 7;

const invalidToken = () => new AppError('invalid_token', 'This link is invalid, already used or expired: ask for a new one');

/** Where links in emails point: the configured site, else (never in production, config refuses it) the request's origin. */
export interface LinkBase {
  siteUrl: string;
  /** The interface language the request came from; else the account's. */
  language?: Language;
}

const link = (base: LinkBase, page: 'reset' | 'verify', token: string, lang: Language) =>
  `${base.siteUrl.replace(/\/$/, '')}/${lang}/${page}?token=${encodeURIComponent(token)}`;

async function issueToken(ctx: Ctx, userId: string, purpose: 'password_reset' | 'email_verify', ttlMs: number): Promise<string> {
  const token = newRefreshToken();
  const now = ctx.services.now();
  const { db } = ctx.services.db;
  // A new link replaces the older ones of the same purpose: only the latest email works.
  await db.batch([
    db
      .update(authTokens)
      .set({ usedAt: now })
      .where(and(eq(authTokens.userId, userId), eq(authTokens.purpose, purpose), isNull(authTokens.usedAt))),
    db.insert(authTokens).values({ userId, purpose, tokenHash: await hashToken(token), expiresAt: new Date(now.getTime() + ttlMs) }),
  ]);
  return token;
}

/**
 * "Forgot password": the answer is the same whether or not the email has an account — the
 * lookup, the token and the email all happen after the response (ctx.defer), so neither the
 * body nor the timing says which. Limited per address and per email (unknown ones included).
 */
export async function requestPasswordReset(ctx: Ctx, input: { email: string; ip: string }, base: LinkBase): Promise<void> {
  const email = normalizeEmail(input.email);
  const [perIp, perEmail] = await Promise.all([
    hit(ctx.services.redis, 'auth.reset.ip', input.ip),
    hit(ctx.services.redis, 'auth.reset.email', email),
  ]);
  if (!perIp.allowed) throw rateLimited(perIp, 'Too many reset requests from this address, try again later');
  if (!perEmail.allowed) throw rateLimited(perEmail, 'Too many reset requests for this email, try again later');
  ctx.defer(
    (async () => {
      const [user] = await ctx.services.db.db
        .select({ id: users.id, name: users.name, language: users.language })
        .from(users)
        .where(eq(users.email, email))
        .limit(1);
      if (!user) return;
      const token = await issueToken(ctx, user.id, 'password_reset', RESET_TTL_MIN * 60_000);
      sendEmailLater(ctx, {
        kind: 'password_reset',
        to: email,
        language: base.language ?? user.language,
        name: user.name,
        link: link(base, 'reset', token, base.language ?? user.language),
        idempotencyKey: `password_reset:${await hashToken(token)}`,
      });
    })().catch((err: unknown) => ctx.log.error('password reset not issued', errorFields(err))),
  );
}

async function assertTokenRate(ctx: Ctx, ip: string) {
  const d = await hit(ctx.services.redis, 'auth.token.ip', ip);
  if (!d.allowed) throw rateLimited(d, 'Too many attempts from this address, try again later');
}

/**
 * Sets a new password from a reset link: consumes the token, changes the hash, revokes every
 * session (refresh-token families in the same statement, live access tokens through Redis)
 * and — the link proved the mailbox — marks the email verified.
 */
export async function resetPassword(ctx: Ctx, input: { token: string; newPassword: string; ip: string }): Promise<void> {
  await assertTokenRate(ctx, input.ip);
  const problem = passwordProblem(input.newPassword);
  if (problem) throw validationError({ newPassword: problem }, problem);
  const [tokenHash, passwordHash] = await Promise.all([
    hashToken(input.token),
    hashPassword(input.newPassword, ctx.config.PASSWORD_PEPPER),
  ]);
  const now = ctx.services.now();
  const at = now.toISOString();
  const { rows } = await ctx.services.db.db.execute<{ id: string }>(
    sql`with t as (
          update auth_tokens set used_at = ${at}::timestamptz
          where token_hash = ${tokenHash} and purpose = 'password_reset' and used_at is null and expires_at > ${at}::timestamptz
          returning user_id
        ), u as (
          update users set password_hash = ${passwordHash}, email_verified_at = coalesce(email_verified_at, ${at}::timestamptz), updated_at = ${at}::timestamptz
          where id in (select user_id from t) returning id
        ), r as (
          update refresh_tokens set revoked_at = ${at}::timestamptz where user_id in (select id from u) and revoked_at is null
        )
        select id::text from u`,
  );
  const userId = rows[0]?.id;
  if (!userId) throw invalidToken();
  await revokeLiveAccessTokens(ctx, userId, now);
}

/** Sends the verification link (at registration, and again on request). */
export async function sendVerification(
  ctx: Ctx,
  user: { id: string; email: string; name: string; language: Language },
  base: LinkBase,
): Promise<void> {
  const token = await issueToken(ctx, user.id, 'email_verify', VERIFY_TTL_DAYS * 24 * 3600_000);
  sendEmailLater(ctx, {
    kind: 'email_verify',
    to: user.email,
    language: base.language ?? user.language,
    name: user.name,
    link: link(base, 'verify', token, base.language ?? user.language),
    idempotencyKey: `email_verify:${await hashToken(token)}`,
  });
}

/** "Send the link again" from the account page; nothing to do for a verified account. */
export async function resendVerification(ctx: Ctx, userId: string, base: LinkBase): Promise<{ sent: boolean }> {
  const [user] = await ctx.services.db.db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!user) throw new AppError('unauthorized', 'This account no longer exists');
  if (user.emailVerifiedAt) return { sent: false };
  const d = await hit(ctx.services.redis, 'auth.verify.resend', userId);
  if (!d.allowed) throw rateLimited(d, 'A link was sent a moment ago: check your mailbox or try again later');
  await sendVerification(ctx, user, base);
  return { sent: true };
}

/** Confirms the address from the emailed link (no login needed: the token is the proof). */
export async function verifyEmail(ctx: Ctx, input: { token: string; ip: string }): Promise<void> {
  await assertTokenRate(ctx, input.ip);
  const tokenHash = await hashToken(input.token);
  const now = ctx.services.now();
  const at = now.toISOString();
  const { rows } = await ctx.services.db.db.execute<{ id: string }>(
    sql`with t as (
          update auth_tokens set used_at = ${at}::timestamptz
          where token_hash = ${tokenHash} and purpose = 'email_verify' and used_at is null and expires_at > ${at}::timestamptz
          returning user_id
        )
        update users set email_verified_at = coalesce(email_verified_at, ${at}::timestamptz), updated_at = ${at}::timestamptz
        where id in (select user_id from t) returning id::text`,
  );
  if (!rows[0]) throw invalidToken();
}

/**
 * The check of assertEmailVerified as a SQL expression, to ride on a statement that runs anyway
 * (checkout folds it into its idempotency claim): 'ok', 'unverified', or null (no such user).
 * `error` is what assertEmailVerified throws for the other values.
 */
export function emailVerifiedGate(userId: string): { sql: SQL<string | null>; error(value: string | null): AppError } {
  return {
    sql: sql<
      string | null
    >`(select case when ${users.emailVerifiedAt} is not null or ${users.role} = 'admin' then 'ok' else 'unverified' end
      from ${users} where ${users.id} = ${userId}::uuid)`,
    error(value) {
      if (value === null) return new AppError('unauthorized', 'This account no longer exists');
      return new AppError('email_unverified', 'Confirm your email address first: we sent you a link (the account page can send it again)');
    },
  };
}

/** Publishing and paying need a confirmed address; learning does not. */
export async function assertEmailVerified(ctx: Ctx, userId: string): Promise<void> {
  const gate = emailVerifiedGate(userId);
  const { rows } = await ctx.services.db.db.execute<{ v: string | null }>(sql`select ${gate.sql} as v`);
  const v = rows[0]?.v ?? null;
  if (v !== 'ok') throw gate.error(v);
}
