import { createApp } from './app.ts';
import type { Env } from './env.ts';
import { catalogRoutes } from './catalog/routes.ts';
import { identityRoutes } from './identity/routes.ts';
import { opsRoutes } from './ops/routes.ts';
import { serveSite } from './site/assets.ts';

/** The API Worker: Hono app for /api, static Astro site for everything else. */
export const app = createApp({
  routers: [opsRoutes, identityRoutes, catalogRoutes],
  site: serveSite,
});

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
