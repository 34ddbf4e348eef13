import { sign, verify } from 'hono/jwt';
import { AppError } from '../lib/errors.ts';
import type { Role } from '../../db/schema/index.ts';
import { toBase64Url, toHex } from '../lib/encoding.ts';

export const ACCESS_TTL_SEC = 15 * 60;
export const REFRESH_TTL_SEC = 30 * 24 * 3600;
const ISSUER = 'sabaq';
const AUDIENCE = 'sabaq-api';
// Allow-list of one: tokens signed with anything else (or `none`) are refused.
const ALG = 'HS256' as const;

export interface AccessClaims {
  /** user id */
  sub: string;
  role: Role;
  /** session (refresh-token family) id, so logout can revoke live access tokens */
  sid: string;
  iat: number;
  /** Issue time in ms: revocation markers need sub-second precision. */
  iatMs: number;
  exp: number;
}

export async function signAccessToken(
  claims: { sub: string; role: Role; sid: string },
  secret: string,
  nowMs = Date.now(),
): Promise<string> {
  const nowSec = Math.floor(nowMs / 1000);
  return sign(
    { ...claims, iss: ISSUER, aud: AUDIENCE, iat: nowSec, iatms: nowMs, nbf: nowSec - 5, exp: nowSec + ACCESS_TTL_SEC },
    secret,
    ALG,
  );
}

/**
 * Tokens this isolate already verified, until they expire: a signed token never changes, and
 * checking the signature (a key import plus an HMAC) on every request of the same session was
 * CPU spent for nothing. Revocation is not cached here: `identify` asks Redis every time.
 */
const verified = new Map<string, { secret: string; claims: AccessClaims }>();
const MAX_VERIFIED = 10_000;

export async function verifyAccessToken(token: string, secret: string, nowMs = Date.now()): Promise<AccessClaims> {
  const known = verified.get(token);
  if (known && known.secret === secret) {
    if (nowMs / 1000 >= known.claims.exp) {
      verified.delete(token);
      throw new AppError('token_expired', 'The access token has expired');
    }
    return known.claims;
  }
  const claims = await verifySignature(token, secret);
  if (verified.size >= MAX_VERIFIED) verified.clear();
  verified.set(token, { secret, claims });
  return claims;
}

async function verifySignature(token: string, secret: string): Promise<AccessClaims> {
  let payload: Record<string, unknown>;
  try {
    payload = (await verify(token, secret, { alg: ALG, iss: ISSUER, aud: AUDIENCE })) as Record<string, unknown>;
  } catch (err) {
    const expired = err instanceof Error && err.name === 'JwtTokenExpired';
    throw new AppError(
      expired ? 'token_expired' : 'unauthorized',
      expired ? 'The access token has expired' : 'The access token is invalid',
    );
  }
  const { sub, role, sid, iat, exp, iatms } = payload;
  if (
    typeof sub !== 'string' ||
    typeof role !== 'string' ||
    typeof sid !== 'string' ||
    typeof exp !== 'number' ||
    typeof iat !== 'number'
  ) {
    throw new AppError('unauthorized', 'The access token is invalid');
  }
  return { sub, role: role as Role, sid, iat, iatMs: typeof iatms === 'number' ? iatms : iat * 1000, exp };
}

/** 256 random bits, URL-safe. */
export function newRefreshToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return toBase64Url(bytes);
}

/** Refresh tokens are stored as SHA-256 hashes: a database leak does not leak sessions. */
export async function hashToken(token: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
}
