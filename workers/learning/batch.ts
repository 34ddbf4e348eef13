import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, type AppContext } from '../app.ts';
import type { Env } from '../env.ts';
import { authenticateOptional } from '../identity/auth.ts';
import { errorResponses, json, jsonBody } from '../lib/openapi.ts';

export const BATCH_MAX = 20;

/** Headers of the caller that the sub-requests carry: the same identity, language and client address. */
const FORWARDED = ['authorization', 'cookie', 'accept-language', 'cf-connecting-ip', 'x-real-ip', 'user-agent'];

export type Dispatch = (request: Request, env: Env, exec?: ExecutionContext) => Response | Promise<Response>;

/** The URL a batch entry names, when it is one of the API's own GETs (never the batch itself or the live socket). */
export function batchTarget(path: string, base: string): URL | undefined {
  if (!path.startsWith('/api/') || path.includes('\\') || path.includes('#')) return undefined;
  let url: URL;
  try {
    url = new URL(path, base);
  } catch {
    return undefined;
  }
  // After normalization (`..`, `%2e%2e`): still this origin and still under /api/.
  if (url.origin !== new URL(base).origin || !url.pathname.startsWith('/api/')) return undefined;
  const p = url.pathname.replace(/\/+$/, '');
  if (p === '/api/batch' || p.startsWith('/api/batch/') || p === '/api/me/live') return undefined;
  return url;
}

const Entry = z.object({
  method: z.string().max(10).default('GET'),
  path: z.string().min(1).max(2000),
});

const BatchInput = z
  .object({ requests: z.array(Entry).min(1, 'Send at least one request').max(BATCH_MAX, `At most ${BATCH_MAX} requests per batch`) })
  .strict()
  .superRefine((body, ctx) => {
    body.requests.forEach((r, i) => {
      if (r.method.toUpperCase() !== 'GET')
        ctx.addIssue({ code: 'custom', path: ['requests', i, 'method'], message: 'Only GET requests can be batched' });
      if (!batchTarget(r.path, 'https://batch.invalid')) {
        ctx.addIssue({ code: 'custom', path: ['requests', i, 'path'], message: 'Must be an API path (/api/…), not /api/batch' });
      }
    });
  });

const BatchResult = z.object({
  responses: z.array(z.object({ path: z.string(), status: z.number(), body: z.unknown() })),
});

const route = createRoute({
  method: 'post',
  path: '/batch',
  tags: ['learning'],
  summary: `Runs up to ${BATCH_MAX} of the caller's GET requests under /api/ in one round trip, with the caller's credentials and rate limits`,
  // Checks the CSRF header when the caller uses the session cookie (the sub-requests carry it).
  middleware: [authenticateOptional()] as const,
  request: { body: jsonBody(BatchInput) },
  responses: { 200: json(BatchResult, 'One entry per request, in order'), ...errorResponses(400, 401, 403) },
});

async function run(c: AppContext, dispatch: Dispatch, path: string, index: number) {
  const target = batchTarget(path, c.req.url)!;
  const headers = new Headers();
  for (const name of FORWARDED) {
    const v = c.req.header(name);
    if (v) headers.set(name, v);
  }
  headers.set('accept', 'application/json');
  headers.set('x-request-id', `${c.var.requestId}.${index}`);
  let exec: ExecutionContext | undefined;
  try {
    exec = c.executionCtx as ExecutionContext;
  } catch {
    exec = undefined;
  }
  // Through the same app: same routing, validation, authentication and rate limits as a direct call.
  const res = await dispatch(new Request(target, { method: 'GET', headers }), c.env, exec);
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { path, status: res.status, body };
}

/** POST /api/batch. `dispatch` is the app's own fetch (given after the app is built). */
export function batchRoutes(dispatch: Dispatch) {
  return createRouter().openapi(route, async (c) => {
    const { requests } = c.req.valid('json');
    const responses = await Promise.all(requests.map((r, i) => run(c, dispatch, r.path, i)));
    return c.json({ responses }, 200, { 'Cache-Control': 'private, no-store' });
  });
}
