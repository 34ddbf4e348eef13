import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, ctxOf } from '../app.ts';
import { authenticate } from '../identity/auth.ts';
import { IdParam, PageQuery, errorResponses, json, pageOf } from '../lib/openapi.ts';
import { listNotifications, markAllRead, markRead, unreadCount } from './inbox.ts';
import { NotificationSchema as Notification, ReadAllSchema, UnreadCountSchema } from './schemas.ts';

const user = authenticate();
const NO_STORE = { 'Cache-Control': 'private, no-store' };

const r = {
  list: createRoute({
    method: 'get',
    path: '/me/notifications',
    tags: ['notifications'],
    summary: 'My notifications, newest first',
    middleware: [user] as const,
    request: {
      query: PageQuery.extend({
        unread: z
          .enum(['true', 'false'])
          .transform((v) => v === 'true')
          .optional(),
      }),
    },
    responses: { 200: json(pageOf(Notification)), ...errorResponses(400, 401) },
  }),
  unread: createRoute({
    method: 'get',
    path: '/me/notifications/unread-count',
    tags: ['notifications'],
    summary: 'How many of my notifications are unread',
    middleware: [user] as const,
    responses: { 200: json(UnreadCountSchema), ...errorResponses(401) },
  }),
  // PUT: marking read is idempotent (and a POST here beside POST …/read-all would keep Hono's
  // RegExpRouter from compiling the route set: it cannot mix a static and a parameter segment
  // at the same depth of one method).
  read: createRoute({
    method: 'put',
    path: '/me/notifications/{id}/read',
    tags: ['notifications'],
    summary: 'Mark one of my notifications read (idempotent)',
    middleware: [user] as const,
    request: { params: IdParam },
    responses: { 200: json(Notification), ...errorResponses(401, 404) },
  }),
  readAll: createRoute({
    method: 'post',
    path: '/me/notifications/read-all',
    tags: ['notifications'],
    summary: 'Mark all my notifications read',
    middleware: [user] as const,
    responses: { 200: json(ReadAllSchema), ...errorResponses(401) },
  }),
};

export const notificationsRoutes = createRouter()
  .openapi(r.list, async (c) => c.json(await listNotifications(ctxOf(c), c.var.actor, c.req.valid('query')), 200, NO_STORE))
  .openapi(r.unread, async (c) => c.json(await unreadCount(ctxOf(c), c.var.actor), 200, NO_STORE))
  .openapi(r.read, async (c) => c.json(await markRead(ctxOf(c), c.var.actor, c.req.valid('param').id), 200))
  .openapi(r.readAll, async (c) => c.json(await markAllRead(ctxOf(c), c.var.actor), 200));
