import { z } from '@hono/zod-openapi';

/**
 * The notifications API's answers, written once: the routes document them, the domain returns
 * their inferred types, and the site's types are generated from the document (`npm run gen:api`).
 */
export const NotificationSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    data: z.record(z.string(), z.unknown()),
    readAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Notification');
export const UnreadCountSchema = z.object({ count: z.number() });
export const ReadAllSchema = z.object({ updated: z.number() });

/** What the API and the live socket show of a notification. */
export type NotificationView = z.infer<typeof NotificationSchema>;
