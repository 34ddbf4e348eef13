import type { Context } from 'hono';

/** Client address as Cloudflare reports it; `unknown` when absent (local tools). */
export function clientIp(c: Context): string {
  return c.req.header('cf-connecting-ip') ?? c.req.header('x-real-ip') ?? 'unknown';
}
