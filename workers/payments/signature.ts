/**
 * Webhook signatures: `Sabaq-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload">`
 * (the shape Stripe uses). Verification compares in constant time and refuses timestamps
 * more than five minutes away, so a captured delivery cannot be replayed later.
 */
import { AppError } from '../lib/errors.ts';

export const SIGNATURE_HEADER = 'Sabaq-Signature';
export const TOLERANCE_SEC = 5 * 60;

const encoder = new TextEncoder();

function key(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

function fromHex(s: string): Uint8Array | null {
  if (!/^[0-9a-f]{64}$/.test(s)) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export async function sign(secret: string, payload: string, timestampSec: number): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await key(secret), encoder.encode(`${timestampSec}.${payload}`));
  return `t=${timestampSec},v1=${hex(mac)}`;
}

const invalid = (message: string, reason: string) => new AppError('invalid_signature', message, { reason });

/** Throws `invalid_signature` (400) unless the header signs `payload` with `secret` within the tolerance. */
export async function verify(secret: string, payload: string, header: string | undefined | null, now: Date): Promise<void> {
  if (!header || header.length > 512) throw invalid('The webhook signature is missing', 'missing');
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const [k, v] = item.trim().split('=', 2);
    if (k && v) parts.set(k, [...(parts.get(k) ?? []), v]);
  }
  const t = Number(parts.get('t')?.[0]);
  const candidates = (parts.get('v1') ?? []).map(fromHex).filter((b): b is Uint8Array => b !== null);
  if (!Number.isInteger(t) || !candidates.length) throw invalid('The webhook signature is malformed', 'malformed');
  if (Math.abs(now.getTime() / 1000 - t) > TOLERANCE_SEC) throw invalid('The webhook timestamp is outside the tolerance', 'stale');
  const expected = new Uint8Array(await crypto.subtle.sign('HMAC', await key(secret), encoder.encode(`${t}.${payload}`)));
  // Constant time: how many leading bytes match must not show in the response time.
  const ok = candidates.some((c) => crypto.subtle.timingSafeEqual(c, expected));
  if (!ok) throw invalid('The webhook signature does not match', 'mismatch');
}
