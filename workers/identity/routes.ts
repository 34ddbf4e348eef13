import { createRoute, z } from '@hono/zod-openapi';
import { getCookie } from 'hono/cookie';
import { createRouter, ctxOf } from '../app.ts';
import { coursePublicPaths } from '../catalog/invalidation.ts';
import { AppError } from '../lib/errors.ts';
import { IdParam, Language, PageQuery, errorResponses, json, jsonBody, pageOf } from '../lib/openapi.ts';
import { rateLimit } from '../lib/ratelimit-middleware.ts';
import { errorFields } from '../lib/logger.ts';
import { clientIp } from '../lib/request.ts';
import { text } from '../lib/text.ts';
import { changePassword, deleteAccount, getUser, login, register, toPublicUser, updateProfile } from './accounts.ts';
import { authenticate } from './auth.ts';
import { CHILD_MAX_AGE_YEARS, childBirthYears } from './child-age.ts';
import { createChild, deleteChild, exportChild, getChild, listChildren, updateChild } from './children.ts';
import { CSRF_COOKIE, CSRF_HEADER, REFRESH_COOKIE, clearSessionCookies, setSessionCookies } from './cookies.ts';
import { PASSWORD_MAX } from './password-policy.ts';
import { refreshSession, revokeSession } from './sessions.ts';
import { requestPasswordReset, resendVerification, resetPassword, sendVerification, verifyEmail, type LinkBase } from './recovery.ts';
import type { AppContext } from '../app.ts';
import { listTeachers, reviewTeacher } from './teachers.ts';
import { getTeacherProfile, teacherPaths } from './profiles.ts';
import {
  ChildExportSchema,
  ChildSchema as Child,
  SessionSchema as Session,
  TeacherProfileSchema as TeacherProfile,
  TeacherReviewSchema as TeacherReview,
  TokensSchema as Tokens,
  UserSchema as User,
} from './schemas.ts';

const Bio = z
  .object({
    ru: text({ multiline: true }).max(2000).optional(),
    kk: text({ multiline: true }).max(2000).optional(),
    en: text({ multiline: true }).max(2000).optional(),
  })
  .strict();

const Email = text()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'Enter a valid email address' }));
// Length and block-list rules are checked by the password policy (one message per rule).
const Password = z.string().max(PASSWORD_MAX * 4);
const Name = text().trim().min(1, 'Enter a name').max(100);

const ChildFields = {
  name: Name,
  birthYear: z
    .number()
    .int()
    .superRefine((y, ctx) => {
      const { min, max } = childBirthYears();
      if (y > max) ctx.addIssue({ code: 'custom', message: 'Birth year cannot be in the future' });
      else if (y < min)
        ctx.addIssue({ code: 'custom', message: `A child profile is for someone under ${CHILD_MAX_AGE_YEARS}: born in ${min} or later` });
    }),
};
const ChildInput = z.object({
  ...ChildFields,
  language: Language.default('ru'),
  /** The parent's consent to process the child's data: the version of the text shown (GET /api/privacy). */
  consent: z.object({ version: z.string().max(40) }).optional(),
});
const ChildPatch = z
  .object({ ...ChildFields, language: Language })
  .partial()
  .strict();

const common = errorResponses(400, 401, 429, 503);

/** Links in emails: the configured site; the request's origin only outside production (a forged Host must not steer reset links). */
function linkBase(c: AppContext, language?: LinkBase['language']): LinkBase {
  const { SITE_URL, APP_ENV } = c.var.config;
  if (SITE_URL) return { siteUrl: SITE_URL, language };
  if (APP_ENV === 'production') throw new AppError('service_unavailable', 'Email links are not configured', { missing: 'SITE_URL' });
  return { siteUrl: new URL(c.req.url).origin, language };
}

const EmailToken = z.string().min(1).max(200);
const Accepted = z.object({ ok: z.literal(true) }).openapi('Accepted');

const r = {
  forgot: createRoute({
    method: 'post',
    path: '/auth/password/forgot',
    tags: ['auth'],
    summary: 'Email a password-reset link (valid 30 minutes, single use); the same answer whether or not the email has an account',
    request: { body: jsonBody(z.object({ email: Email, language: Language.optional() })) },
    responses: { 202: json(Accepted, 'Accepted: if the account exists, a link is on its way'), ...errorResponses(400, 429, 503) },
  }),
  reset: createRoute({
    method: 'post',
    path: '/auth/password/reset',
    tags: ['auth'],
    summary: 'Set a new password with the emailed token; every session of the account is revoked',
    request: { body: jsonBody(z.object({ token: EmailToken, newPassword: Password })) },
    responses: { 204: { description: 'Password changed; log in again' }, ...errorResponses(400, 429, 503) },
  }),
  verifyEmail: createRoute({
    method: 'post',
    path: '/auth/email/verify',
    tags: ['auth'],
    summary: 'Confirm the email address with the emailed token',
    request: { body: jsonBody(z.object({ token: EmailToken })) },
    responses: { 204: { description: 'Confirmed' }, ...errorResponses(400, 429, 503) },
  }),
  resendVerification: createRoute({
    method: 'post',
    path: '/me/email/verify',
    tags: ['me'],
    summary: 'Send the verification link again (nothing is sent for a confirmed address)',
    middleware: [authenticate()] as const,
    request: {
      body: { required: false, content: { 'application/json': { schema: z.object({ language: Language.optional() }) } } },
    },
    responses: { 200: json(z.object({ sent: z.boolean() })), ...errorResponses(401, 429, 503) },
  }),
  register: createRoute({
    method: 'post',
    path: '/auth/register',
    tags: ['auth'],
    summary: 'Create an account (learner, parent or teacher) and log in',
    request: {
      body: jsonBody(
        z.object({
          email: Email,
          password: Password,
          name: Name,
          language: Language.default('ru'),
          role: z.enum(['learner', 'parent', 'teacher'], { message: 'Role must be learner, parent or teacher' }),
          /** Versions of the terms and the privacy notice the user accepted (GET /api/privacy); recorded with the account. */
          consent: z.object({ terms: z.string().max(40), privacy: z.string().max(40) }).optional(),
        }),
      ),
    },
    responses: { 201: json(Session, 'Created and logged in'), ...errorResponses(400, 409, 429, 503) },
  }),
  login: createRoute({
    method: 'post',
    path: '/auth/login',
    tags: ['auth'],
    summary: 'Log in with email and password',
    request: { body: jsonBody(z.object({ email: Email, password: Password })) },
    responses: { 200: json(Session), ...common },
  }),
  refresh: createRoute({
    method: 'post',
    path: '/auth/refresh',
    tags: ['auth'],
    summary: 'Rotate the refresh token (body, or the session cookie plus the CSRF header)',
    middleware: [rateLimit('auth.refresh.ip', (c) => clientIp(c))] as const,
    request: {
      body: { required: false, content: { 'application/json': { schema: z.object({ refreshToken: z.string().max(200).optional() }) } } },
    },
    responses: { 200: json(Tokens), ...common },
  }),
  logout: createRoute({
    method: 'post',
    path: '/auth/logout',
    tags: ['auth'],
    summary: 'Revoke the current session',
    middleware: [authenticate()] as const,
    responses: { 204: { description: 'Logged out' }, ...errorResponses(401) },
  }),
  me: createRoute({
    method: 'get',
    path: '/me',
    tags: ['me'],
    summary: 'The logged-in user',
    middleware: [authenticate()] as const,
    responses: { 200: json(z.object({ user: User })), ...errorResponses(401) },
  }),
  updateMe: createRoute({
    method: 'patch',
    path: '/me',
    tags: ['me'],
    summary: 'Update name, language or the "about me" text (ru/kk/en) of the public teacher page',
    middleware: [authenticate()] as const,
    request: { body: jsonBody(z.object({ name: Name.optional(), language: Language.optional(), bio: Bio.optional() }).strict()) },
    responses: { 200: json(z.object({ user: User })), ...errorResponses(400, 401) },
  }),
  teacherProfile: createRoute({
    method: 'get',
    path: '/teachers/{id}',
    tags: ['teachers'],
    summary: "A verified teacher's public profile: photo, bio in the asked language, published courses, rating",
    request: { params: IdParam, query: z.object({ lang: Language.default('ru') }) },
    responses: { 200: json(TeacherProfile), ...errorResponses(404) },
  }),
  deleteMe: createRoute({
    method: 'delete',
    path: '/me',
    tags: ['me'],
    summary: "Delete the account and all its data (children's included); needs the password",
    middleware: [authenticate()] as const,
    request: { body: jsonBody(z.object({ password: Password })) },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401) },
  }),
  password: createRoute({
    method: 'post',
    path: '/me/password',
    tags: ['me'],
    summary: 'Change the password; every other session is revoked',
    middleware: [authenticate()] as const,
    request: { body: jsonBody(z.object({ currentPassword: Password, newPassword: Password })) },
    responses: { 200: json(Tokens), ...errorResponses(400, 401) },
  }),
  listChildren: createRoute({
    method: 'get',
    path: '/me/children',
    tags: ['children'],
    middleware: [authenticate()] as const,
    request: { query: PageQuery },
    responses: { 200: json(pageOf(Child)), ...errorResponses(401, 403) },
  }),
  createChild: createRoute({
    method: 'post',
    path: '/me/children',
    tags: ['children'],
    middleware: [authenticate()] as const,
    request: { body: jsonBody(ChildInput) },
    responses: { 201: json(Child), ...errorResponses(400, 401, 403) },
  }),
  getChild: createRoute({
    method: 'get',
    path: '/me/children/{id}',
    tags: ['children'],
    middleware: [authenticate()] as const,
    request: { params: IdParam },
    responses: { 200: json(Child), ...errorResponses(401, 404) },
  }),
  updateChild: createRoute({
    method: 'patch',
    path: '/me/children/{id}',
    tags: ['children'],
    middleware: [authenticate()] as const,
    request: { params: IdParam, body: jsonBody(ChildPatch) },
    responses: { 200: json(Child), ...errorResponses(400, 401, 404) },
  }),
  deleteChild: createRoute({
    method: 'delete',
    path: '/me/children/{id}',
    tags: ['children'],
    middleware: [authenticate()] as const,
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted with everything about the child' }, ...errorResponses(401, 404) },
  }),
  exportChild: createRoute({
    method: 'get',
    path: '/me/children/{id}/export',
    tags: ['children'],
    summary: 'Everything stored about a child (profile, attempts with answers, results, reports), for the parent only',
    middleware: [authenticate()] as const,
    request: { params: IdParam },
    responses: {
      200: json(ChildExportSchema),
      ...errorResponses(401, 404),
    },
  }),
  listTeachers: createRoute({
    method: 'get',
    path: '/admin/teachers',
    tags: ['admin'],
    middleware: [authenticate(['admin'])] as const,
    request: { query: PageQuery.extend({ status: z.enum(['pending', 'verified', 'rejected']).default('pending') }) },
    responses: { 200: json(pageOf(TeacherReview)), ...errorResponses(401, 403) },
  }),
  verifyTeacher: createRoute({
    method: 'post',
    path: '/admin/teachers/{id}/verify',
    tags: ['admin'],
    middleware: [authenticate(['admin'])] as const,
    request: {
      params: IdParam,
      body: {
        required: false,
        content: { 'application/json': { schema: z.object({ note: text({ multiline: true }).max(1000).optional() }) } },
      },
    },
    responses: { 200: json(z.object({ user: User })), ...errorResponses(401, 403, 404) },
  }),
  rejectTeacher: createRoute({
    method: 'post',
    path: '/admin/teachers/{id}/reject',
    tags: ['admin'],
    middleware: [authenticate(['admin'])] as const,
    request: { params: IdParam, body: jsonBody(z.object({ reason: text({ multiline: true }).trim().min(1, 'Give a reason').max(1000) })) },
    responses: { 200: json(z.object({ user: User })), ...errorResponses(400, 401, 403, 404) },
  }),
};

export const identityRoutes = createRouter()
  .openapi(r.forgot, async (c) => {
    const { email, language } = c.req.valid('json');
    await requestPasswordReset(ctxOf(c), { email, ip: clientIp(c) }, linkBase(c, language));
    return c.json({ ok: true as const }, 202);
  })
  .openapi(r.reset, async (c) => {
    await resetPassword(ctxOf(c), { ...c.req.valid('json'), ip: clientIp(c) });
    clearSessionCookies(c);
    return c.body(null, 204);
  })
  .openapi(r.verifyEmail, async (c) => {
    await verifyEmail(ctxOf(c), { token: c.req.valid('json').token, ip: clientIp(c) });
    return c.body(null, 204);
  })
  .openapi(r.resendVerification, async (c) => {
    const body = c.req.valid('json') as { language?: LinkBase['language'] } | undefined;
    return c.json(await resendVerification(ctxOf(c), c.var.actor.id, linkBase(c, body?.language)), 200);
  })
  .openapi(r.register, async (c) => {
    const body = c.req.valid('json');
    const { user, tokens } = await register(ctxOf(c), { ...body, ip: clientIp(c) });
    await sendVerification(ctxOf(c), user, linkBase(c, body.language));
    setSessionCookies(c, tokens);
    return c.json({ user, ...tokensOut(tokens) }, 201);
  })
  .openapi(r.login, async (c) => {
    const body = c.req.valid('json');
    const { user, tokens } = await login(ctxOf(c), { ...body, ip: clientIp(c) });
    setSessionCookies(c, tokens);
    return c.json({ user, ...tokensOut(tokens) }, 200);
  })
  .openapi(r.refresh, async (c) => {
    const body = c.req.valid('json') as { refreshToken?: string } | undefined;
    let presented = body?.refreshToken;
    if (!presented) {
      presented = getCookie(c, REFRESH_COOKIE, 'host');
      const expected = getCookie(c, CSRF_COOKIE);
      if (presented && (!expected || c.req.header(CSRF_HEADER) !== expected))
        throw new AppError('csrf_failed', `Missing or wrong ${CSRF_HEADER} header`);
    }
    if (!presented) throw new AppError('unauthorized', 'No refresh token');
    const tokens = await refreshSession(ctxOf(c), presented);
    setSessionCookies(c, tokens);
    return c.json(tokensOut(tokens), 200);
  })
  .openapi(r.logout, async (c) => {
    await revokeSession(ctxOf(c), c.var.actor.sessionId);
    clearSessionCookies(c);
    return c.body(null, 204);
  })
  .openapi(r.me, async (c) => c.json({ user: toPublicUser(await getUser(ctxOf(c), c.var.actor.id)) }, 200))
  .openapi(r.updateMe, async (c) => {
    const body = c.req.valid('json');
    const user = await updateProfile(ctxOf(c), c.var.actor.id, body);
    // The public page shows name, photo and bio: drop this colo's copies.
    if (user.role === 'teacher' && (body.bio || body.name)) {
      await c.var.services.edge.purge(teacherPaths(user.id)).catch(() => {});
    }
    return c.json({ user }, 200);
  })
  .openapi(r.teacherProfile, async (c) => {
    const profile = await getTeacherProfile(ctxOf(c), c.req.valid('param').id, c.req.valid('query').lang);
    return c.json(profile, 200, { 'Cache-Control': 'public, max-age=60' });
  })
  .openapi(r.deleteMe, async (c) => {
    const { courses } = await deleteAccount(ctxOf(c), c.var.actor.id, c.req.valid('json').password, clientIp(c));
    // This colo's edge copies of the courses whose rating or enrollment count just changed
    // (awaited, so the next read is fresh; the account is gone either way).
    await c.var.services.edge
      .purge(courses.flatMap(coursePublicPaths))
      .catch((err: unknown) => c.var.log.warn('edge purge failed', errorFields(err)));
    clearSessionCookies(c);
    return c.body(null, 204);
  })
  .openapi(r.password, async (c) => {
    const tokens = await changePassword(ctxOf(c), c.var.actor.id, { ...c.req.valid('json'), ip: clientIp(c) });
    setSessionCookies(c, tokens);
    return c.json(tokensOut(tokens), 200);
  })
  .openapi(r.listChildren, async (c) => c.json(await listChildren(ctxOf(c), c.var.actor, c.req.valid('query')), 200))
  .openapi(r.createChild, async (c) => c.json(await createChild(ctxOf(c), c.var.actor, c.req.valid('json')), 201))
  .openapi(r.getChild, async (c) => c.json(await getChild(ctxOf(c), c.var.actor, c.req.valid('param').id), 200))
  .openapi(r.updateChild, async (c) => c.json(await updateChild(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200))
  .openapi(r.deleteChild, async (c) => {
    await deleteChild(ctxOf(c), c.var.actor, c.req.valid('param').id);
    return c.body(null, 204);
  })
  .openapi(r.exportChild, async (c) => {
    const { id } = c.req.valid('param');
    const data = await exportChild(ctxOf(c), c.var.actor, id);
    return c.json(data, 200, { 'Content-Disposition': `attachment; filename="sabaq-child-${id}.json"`, 'Cache-Control': 'no-store' });
  })
  .openapi(r.listTeachers, async (c) => c.json(await listTeachers(ctxOf(c), c.var.actor, c.req.valid('query')), 200))
  .openapi(r.verifyTeacher, async (c) => {
    const body = c.req.valid('json') as { note?: string } | undefined;
    return c.json(
      { user: await reviewTeacher(ctxOf(c), c.var.actor, c.req.valid('param').id, { status: 'verified', note: body?.note }) },
      200,
    );
  })
  .openapi(r.rejectTeacher, async (c) => {
    const { reason } = c.req.valid('json');
    return c.json({ user: await reviewTeacher(ctxOf(c), c.var.actor, c.req.valid('param').id, { status: 'rejected', note: reason }) }, 200);
  });

function tokensOut(t: { accessToken: string; refreshToken: string; expiresIn: number }) {
  return { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresIn: t.expiresIn };
}
