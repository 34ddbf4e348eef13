import { createApp } from './app.ts';
import { runScheduled } from './assessments/cron.ts';
import { assessmentsRoutes } from './assessments/routes.ts';
import type { Env } from './env.ts';
import { gamesRoutes } from './games/routes.ts';
import { catalogRoutes } from './catalog/routes.ts';
import { consentRoutes } from './consent/routes.ts';
import { dashboardsRoutes } from './dashboards/routes.ts';
import { consultationsRoutes } from './consultations/routes.ts';
import { devMailRoutes } from './email/routes.ts';
import { imagesRoutes } from './images/routes.ts';
import { identityRoutes } from './identity/routes.ts';
import { batchRoutes } from './learning/batch.ts';
import { learningRoutes } from './learning/routes.ts';
import { liveRoutes } from './live/routes.ts';
import { notificationsRoutes } from './notifications/routes.ts';
import { mockPayRoutes } from './payments/mock-pay-routes.ts';
import { paymentsRoutes } from './payments/routes.ts';
import { createWebhookDelivery, isPaymentWebhookQueue, type PaymentWebhookMessage } from './payments/webhook-delivery.ts';
import { metricsRoutes } from './ops/metrics.ts';
import { opsRoutes } from './ops/routes.ts';
import { createQueueHandler, type ReportMessage } from './reports/consumer.ts';
import { reportsRoutes } from './reports/routes.ts';
import { reviewsRoutes } from './reviews/routes.ts';
import { serveSite } from './site/assets.ts';
import { useDirectNetwork } from './lib/direct-network.ts';

/** The API Worker: Hono app for /api, static Astro site for everything else. */
export const app = createApp({
  routers: [
    opsRoutes,
    metricsRoutes,
    identityRoutes,
    catalogRoutes,
    assessmentsRoutes,
    reportsRoutes,
    learningRoutes,
    reviewsRoutes,
    notificationsRoutes,
    liveRoutes,
    paymentsRoutes,
    mockPayRoutes,
    gamesRoutes,
    consentRoutes,
    dashboardsRoutes,
    consultationsRoutes,
    devMailRoutes,
    imagesRoutes,
  ],
  site: serveSite,
});
// POST /api/batch dispatches its GETs through this same app (same auth, validation and rate limits).
app.route(
  '/api',
  batchRoutes((request, env, exec) => app.fetch(request, env, exec)),
);

/** Per-user live notifications (WebSocket hibernation); bound as LIVE in wrangler.toml. */
export { UserLive } from './live/user-live.ts';
/** Live quiz games, one object per game; bound as GAMES in wrangler.toml. */
export { GameRoom } from './games/game-room.ts';

const reportJobs = createQueueHandler();
// The mock payment provider's webhook sender delivers through this same app (workers/payments/webhook-delivery.ts).
const paymentWebhooks = createWebhookDelivery((request, env, exec) => app.fetch(request, env, exec));

export default {
  fetch: (request, env, exec) => {
    useDirectNetwork(env);
    return app.fetch(request, env, exec);
  },
  // Report jobs and their dead-letter queue (workers/reports/consumer.ts); the mock provider's webhooks.
  queue: (batch, env, exec) => {
    useDirectNetwork(env);
    return isPaymentWebhookQueue(batch.queue)
      ? paymentWebhooks(batch, env, exec)
      : reportJobs(batch as MessageBatch<ReportMessage>, env, exec);
  },
  // Attempt deadline sweep and statistics refresh (workers/assessments/cron.ts).
  scheduled: (controller, env, exec) => {
    useDirectNetwork(env);
    return runScheduled(controller, env, exec);
  },
} satisfies ExportedHandler<Env, ReportMessage | PaymentWebhookMessage>;
