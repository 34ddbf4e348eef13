import { loadConfig, type Env } from '../env.ts';
import type { Ctx } from './context.ts';
import { createLogger, errorFields } from './logger.ts';
import { metricsFor } from './metrics.ts';
import { createServices } from './services.ts';

/** The domain context for work outside a request (queue batches, cron runs). */
export function jobCtx(env: Env, exec: ExecutionContext, fields: Record<string, unknown>): Ctx {
  const config = loadConfig(env);
  const log = createLogger({ requestId: crypto.randomUUID(), ...fields }, config.LOG_LEVEL);
  return {
    config,
    log,
    services: createServices(config, log, { metrics: metricsFor(env) }),
    defer: (promise) => exec.waitUntil(promise.catch((err: unknown) => log.error('deferred work failed', errorFields(err)))),
  };
}
