import { and, eq, isNull } from 'drizzle-orm';
import { refreshTokens, users, type User } from '../../db/schema/index.ts';
import type { Ctx } from '../lib/context.ts';
import { AppError } from '../lib/errors.ts';
import { redisTimeoutMs } from '../lib/redis.ts';
import { withTimeout } from '../lib/timeout.ts';
import { ACCESS_TTL_SEC, REFRESH_TTL_SEC, hashToken, newRefreshToken, signAccessToken } from './tokens.ts';
import { errorFields } from '../lib/logger.ts';
import type { SessionTokens } from './schemas.ts';

/** Redis keys that kill live access tokens before they expire (they live at most 15 minutes). */
export const revokedSessionKey = (sid: string) => `auth:revoked:${sid}`;
export const userNotBeforeKey = (userId: string) => `auth:nbf:${userId}`;

/** Rows for a new session (a refresh-token family); the caller inserts them, possibly in a batch. */
export async function prepareSession(ctx: Ctx, user: Pick<User, 'id' | 'role'>, familyId: string = crypto.randomUUID()) {
  const refreshToken = newRefreshToken();
  const now = ctx.services.now();
  const row = {
    userId: user.id,
    familyId,
    tokenHash: await hashToken(refreshToken),
    expiresAt: new Date(now.getTime() + REFRESH_TTL_SEC * 1000),
  };
  const accessToken = await signAccessToken({ sub: user.id, role: user.role, sid: familyId }, ctx.config.JWT_SECRET, now.getTime());
  const tokens: SessionTokens = { accessToken, refreshToken, expiresIn: ACCESS_TTL_SEC, sessionId: familyId };
  return { row, tokens };
}

export async function startSession(ctx: Ctx, user: Pick<User, 'id' | 'role'>): Promise<SessionTokens> {
  const { row, tokens } = await prepareSession(ctx, user);
  await ctx.services.db.db.insert(refreshTokens).values(row);
  return tokens;
}

/** Best effort: a Redis outage must not block logout; tokens still expire within 15 minutes. */
async function markRevoked(ctx: Ctx, key: string, value: string) {
  try {
    await withTimeout(ctx.services.redis.set(key, value, { ex: ACCESS_TTL_SEC + 60 }), redisTimeoutMs(ctx.services.redis), 'revoke marker');
  } catch (err) {
    ctx.log.warn('could not write revocation marker', { key, ...errorFields(err) });
  }
}

export async function revokeSession(ctx: Ctx, familyId: string): Promise<void> {
  await ctx.services.db.db
    .update(refreshTokens)
    .set({ revokedAt: ctx.services.now() })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
  await markRevoked(ctx, revokedSessionKey(familyId), '1');
}

/** Marks every access token of the user issued before `before` (ms) as dead. */
export async function revokeLiveAccessTokens(ctx: Ctx, userId: string, before: Date = ctx.services.now()): Promise<void> {
  await markRevoked(ctx, userNotBeforeKey(userId), String(before.getTime()));
}

type RefreshOutcome =
  | { kind: 'ok'; tokens: SessionTokens; userId: string }
  | { kind: 'reused'; familyId: string }
  | { kind: 'invalid' }
  | { kind: 'expired' };

/**
 * Rotates a refresh token: the presented token is spent and a new one of the same family is
 * issued. Presenting a spent token again means it was stolen (or replayed): the whole family
 * is revoked, so both the thief and the victim must log in again.
 */
export async function refreshSession(ctx: Ctx, presented: string): Promise<SessionTokens> {
  const tokenHash = await hashToken(presented);
  const outcome = await ctx.services.db.transaction(async (tx): Promise<RefreshOutcome> => {
    const [current] = await tx
      .select({ token: refreshTokens, role: users.role })
      .from(refreshTokens)
      .innerJoin(users, eq(users.id, refreshTokens.userId))
      .where(eq(refreshTokens.tokenHash, tokenHash))
      .for('update', { of: refreshTokens });
    if (!current) return { kind: 'invalid' };
    const { token, role } = current;
    const now = ctx.services.now();
    if (token.revokedAt) return { kind: 'invalid' };
    if (token.rotatedAt) {
      await tx
        .update(refreshTokens)
        .set({ revokedAt: now })
        .where(and(eq(refreshTokens.familyId, token.familyId), isNull(refreshTokens.revokedAt)));
      return { kind: 'reused', familyId: token.familyId };
    }
    if (token.expiresAt <= now) return { kind: 'expired' };
    await tx.update(refreshTokens).set({ rotatedAt: now }).where(eq(refreshTokens.id, token.id));
    const { row, tokens } = await prepareSession(ctx, { id: token.userId, role }, token.familyId);
    await tx.insert(refreshTokens).values(row);
    return { kind: 'ok', tokens, userId: token.userId };
  });
  switch (outcome.kind) {
    case 'ok':
      return outcome.tokens;
    case 'reused':
      await markRevoked(ctx, revokedSessionKey(outcome.familyId), '1');
      ctx.log.warn('refresh token reuse: session revoked', { familyId: outcome.familyId });
      throw new AppError('unauthorized', 'This session has been revoked; log in again');
    case 'expired':
      throw new AppError('token_expired', 'The refresh token has expired; log in again');
    case 'invalid':
      throw new AppError('unauthorized', 'The refresh token is invalid');
  }
}
