import { sign, verify } from 'hono/jwt';
import type { Actor } from '../lib/context.ts';
import { AppError } from '../lib/errors.ts';

/**
 * Browsers cannot set headers on a WebSocket handshake. Same-origin pages send the session
 * cookie anyway; other clients (or pages on another origin of the allow-list) first ask for
 * a ticket with their normal credentials and pass it as `?ticket=`. A ticket only opens the
 * live socket (its own audience), for one minute, so a URL that ends up in a log is useless.
 */
export const TICKET_TTL_SEC = 60;
const AUDIENCE = 'sabaq-live';
const ALG = 'HS256' as const;

export async function issueLiveTicket(actor: Actor, secret: string, nowMs = Date.now()): Promise<{ ticket: string; expiresIn: number }> {
  const now = Math.floor(nowMs / 1000);
  const ticket = await sign(
    { sub: actor.id, role: actor.role, sid: actor.sessionId, aud: AUDIENCE, iat: now, exp: now + TICKET_TTL_SEC },
    secret,
    ALG,
  );
  return { ticket, expiresIn: TICKET_TTL_SEC };
}

/** The ticket's actor and when it was issued (ms), for checking the session was not revoked since. */
export async function verifyLiveTicket(ticket: string, secret: string): Promise<Actor & { iatMs: number }> {
  let payload: Record<string, unknown>;
  try {
    payload = (await verify(ticket, secret, { alg: ALG, aud: AUDIENCE })) as Record<string, unknown>;
  } catch {
    throw new AppError('unauthorized', 'The live ticket is invalid or has expired');
  }
  const { sub, role, sid, iat } = payload;
  if (typeof sub !== 'string' || typeof role !== 'string' || typeof sid !== 'string' || typeof iat !== 'number')
    throw new AppError('unauthorized', 'The live ticket is invalid');
  return { id: sub, role: role as Actor['role'], sessionId: sid, iatMs: iat * 1000 };
}
