import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { ACCESS_TTL_SEC, REFRESH_TTL_SEC } from './tokens.ts';
import type { SessionTokens } from './schemas.ts';
import { toBase64Url } from '../lib/encoding.ts';

/** Names without the `__Host-` prefix, which hono adds (it also forces Secure and Path=/). */
export const ACCESS_COOKIE = 'sabaq_at';
export const REFRESH_COOKIE = 'sabaq_rt';
/** Readable by the page's scripts, which echo it in the CSRF header. */
export const CSRF_COOKIE = 'sabaq_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

/** Browsers keep the tokens in HttpOnly cookies; API clients use the JSON body. */
export function setSessionCookies(c: Context, tokens: SessionTokens) {
  const base = { path: '/', secure: true, sameSite: 'Lax' as const };
  setCookie(c, ACCESS_COOKIE, tokens.accessToken, { ...base, httpOnly: true, maxAge: ACCESS_TTL_SEC, prefix: 'host' });
  setCookie(c, REFRESH_COOKIE, tokens.refreshToken, { ...base, httpOnly: true, maxAge: REFRESH_TTL_SEC, prefix: 'host' });
  const csrf = toBase64Url(crypto.getRandomValues(new Uint8Array(18)));
  setCookie(c, CSRF_COOKIE, csrf, { ...base, httpOnly: false, maxAge: REFRESH_TTL_SEC });
}

export function clearSessionCookies(c: Context) {
  deleteCookie(c, ACCESS_COOKIE, { path: '/', secure: true, prefix: 'host' });
  deleteCookie(c, REFRESH_COOKIE, { path: '/', secure: true, prefix: 'host' });
  deleteCookie(c, CSRF_COOKIE, { path: '/', secure: true });
}
