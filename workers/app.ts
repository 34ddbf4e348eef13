import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { isDatabaseBusy, isDatabaseUnavailable } from '../db/client.ts';
import { loadConfig, type Config, type Env } from './env.ts';
import type { Actor, Ctx } from './lib/context.ts';
import { admit, isolateAdmission, type Admission } from './lib/admission-gate.ts';
import { cors } from './lib/cors.ts';
import { AppError, overloaded, type ErrorBody, type ErrorCode } from './lib/errors.ts';
import { inputGuard } from './lib/input-guard.ts';
import { createLogger, errorFields, type Logger } from './lib/logger.ts';
import { metrics, metricsFor } from './lib/metrics.ts';
import { createServices, type Services } from './lib/services.ts';
import { requestMetrics } from './ops/metrics-middleware.ts';
import { securityHeaders } from './lib/security-headers.ts';

export interface AppVariables {
  requestId: string;
  log: Logger;
  config: Config;
  services: Services;
  /** Set by the authenticate middleware. */
  actor: Actor;
  /** How the actor authenticated; cookie sessions need the CSRF header on writes. */
  authVia: 'bearer' | 'cookie';
}

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}

export type AppContext = Context<AppEnv>;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export const MAX_BODY_BYTES = 1024 * 1024;

/** The document's header; the paths come from the routes (`createRoute`), so it cannot drift from the code. */
export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'Sabaq API', version: '0.1.0', description: 'Edge API of the Sabaq learning platform.' },
  servers: [{ url: '/' }],
};

/** Turns zod issues into { fields: { "a.b": "message" } } so clients can point at the field. */
export function zodFields(error: ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_';
    fields[key] ??= issue.message;
  }
  return fields;
}

/** The domain context of a request: adapters without HTTP. */
export function ctxOf(c: AppContext): Ctx {
  return {
    services: c.var.services,
    config: c.var.config,
    log: c.var.log,
    defer: (promise) => {
      const guarded = promise.catch((err: unknown) => c.var.log.error('deferred work failed', errorFields(err)));
      try {
        c.executionCtx.waitUntil(guarded);
      } catch {
        // No ExecutionContext (app.request in a script): the promise still runs.
      }
    },
  };
}

/** Feature routers: same typed env and validation behaviour as the app. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new AppError('validation_failed', 'Some fields are invalid', { fields: zodFields(result.error) });
      }
    },
  });
}

export function errorResponse(c: Context, err: AppError, requestId: string): Response {
  const body: ErrorBody = { error: { code: err.code, message: err.message, requestId } };
  if (err.details !== undefined) body.error.details = err.details;
  return c.json(body, err.status as 400, err.headers);
}

function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    if (err.status === 400 && /Malformed JSON/i.test(err.message))
      return new AppError('invalid_json', 'The request body is not valid JSON');
    if (err.status === 413) return new AppError('payload_too_large', `The request body is larger than ${MAX_BODY_BYTES} bytes`);
    const code: ErrorCode = err.status === 401 ? 'unauthorized' : err.status === 404 ? 'not_found' : 'bad_request';
    return new AppError(code, err.message || 'Bad request');
  }
  if (isDatabaseBusy(err)) {
    // This isolate's own Postgres slots are full: it is past its capacity, like an admission
    // refusal (same code, counted, no stack logged — shedding must stay cheap).
    return overloaded('database');
  }
  if (isDatabaseUnavailable(err)) {
    return new AppError('service_unavailable', 'The database is unavailable, try again shortly', undefined, { 'Retry-After': '5' });
  }
  return undefined;
}

/**
 * Personal by default: an API answer may be stored by a shared cache only when its route
 * said so (the public catalog's edge-cache and list headers, which give the same answer to
 * everyone); every other answer, errors included, is `private, no-store`.
 */
function applyCachePolicy(c: Context<AppEnv>): void {
  if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'private, no-store');
}

/** Routes registered on the app, for answering 405 instead of 404 on a known path. */
function allowedMethods(app: OpenAPIHono<AppEnv>, path: string): string[] {
  const methods = new Set<string>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || r.path.includes('*')) continue;
    const pattern = new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\/:[^/]+/g, '/[^/]+')}/?$`);
    if (pattern.test(path)) methods.add(r.method);
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods];
}

/** HOT_ANSWERS_MS, read before the configuration is (admission runs first); 0 when unset or invalid. */
function hotAnswersMs(env: unknown): number {
  const ms = Number((env as Partial<Env> | undefined)?.HOT_ANSWERS_MS);
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 60_000) : 0;
}

export interface AppOptions {
  /** Feature routers mounted under /api. */
  routers: OpenAPIHono<AppEnv>[];
  /** Handler for everything outside /api (static site). */
  site?: (c: AppContext) => Promise<Response> | Response;
  /** Admission state (tests pass one on a fake clock); default: the isolate's. */
  admission?: Admission;
}

/** The one app factory: context, limits, errors, 404/405 and the OpenAPI document. */
export function createApp(options: AppOptions) {
  const app = createRouter();

  app.use('*', requestMetrics());
  app.use('*', async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', requestId);
    const config = loadConfig(c.env);
    const log = createLogger({ requestId }, config.LOG_LEVEL);
    c.set('config', config);
    c.set('log', log);
    c.set(
      'services',
      createServices(config, log, {
        metrics: metricsFor(c.env),
        defer: (p) => ctxOf(c).defer(p),
        requestUrl: c.req.url,
      }),
    );
    const started = Date.now();
    await next();
    // On the final response's own headers: `c.header` after `next()` makes Hono copy the
    // whole response into a new one.
    c.res.headers.set('X-Request-Id', requestId);
    if (c.req.path.startsWith('/api/')) applyCachePolicy(c);
    const status = c.res.status;
    if (c.req.path.startsWith('/api/')) {
      log[status >= 500 ? 'error' : 'info']('request', {
        method: c.req.method,
        path: c.req.path,
        status,
        ms: Date.now() - started,
      });
    }
  });

  app.use('*', securityHeaders());

  // Browsers on other origins may call the API only from the configured allow-list.
  app.use(
    '/api/*',
    cors({
      allowed: (c) => c.var.config.corsOrigins,
      allowHeaders: ['Content-Type', 'Authorization', 'X-CSRF-Token', 'X-Request-Id', 'If-None-Match', 'Idempotency-Key'],
      exposeHeaders: [
        'X-Request-Id',
        'ETag',
        'Retry-After',
        'RateLimit-Limit',
        'RateLimit-Remaining',
        'RateLimit-Reset',
        'RateLimit-Policy',
      ],
      maxAgeSec: 600,
    }),
  );

  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new AppError('payload_too_large', `The request body is larger than ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );

  // After the size limit: no text with NUL, control characters or lone surrogates gets
  // past this point, and JSON bodies arrive NFC-normalised (see lib/input-guard.ts).
  app.use('/api/*', inputGuard());

  app.onError((err, c) => {
    const requestId = c.get('requestId') ?? crypto.randomUUID();
    const known = toAppError(err);
    if (known) {
      // Shed requests are counted by metrics; a stack per shed request would cost the CPU shedding saves.
      if (known.status >= 500 && known.code !== 'overloaded')
        c.get('log')?.error('request failed', { code: known.code, ...errorFields(err) });
      const res = errorResponse(c, known, requestId);
      res.headers.set('X-Request-Id', requestId);
      return res;
    }
    (c.get('log') ?? createLogger({ requestId })).error('unhandled error', errorFields(err));
    const res = errorResponse(c, new AppError('internal', 'Something went wrong on our side'), requestId);
    res.headers.set('X-Request-Id', requestId);
    return res;
  });

  for (const router of options.routers) app.route('/api', router);

  app.doc31('/api/openapi.json', OPENAPI_DOCUMENT);

  app.notFound((c) => {
    const requestId = c.get('requestId');
    if (c.req.path.startsWith('/api/') || !options.site) {
      const allowed = allowedMethods(app, c.req.path);
      if (allowed.length) {
        return errorResponse(
          c,
          new AppError('method_not_allowed', `${c.req.method} is not allowed here`, { allowed }, { Allow: allowed.join(', ') }),
          requestId,
        );
      }
      return errorResponse(c, new AppError('not_found', `No route for ${c.req.method} ${c.req.path}`), requestId);
    }
    return options.site(c);
  });

  // Past this isolate's capacity: a short wait, then the last good answer or 503 overloaded.
  // In front of Hono itself, so a refusal costs no routing and none of the middleware above;
  // `app.request` (tests) and the Worker's `fetch` both come through here.
  const state = options.admission ?? isolateAdmission;
  const dispatch = app.fetch;
  app.fetch = (request, env, executionCtx) =>
    admit(state, request, metrics({ env }), () => dispatch(request, env, executionCtx), hotAnswersMs(env));

  return app;
}

export type App = ReturnType<typeof createApp>;
