import { z } from 'zod';

/**
 * Bindings and vars of the Worker. Secrets come from `wrangler secret` in production and
 * from `--var`/.dev.vars locally; the local-only NEON_* endpoints point the unchanged Neon
 * driver at the project's local Postgres endpoint.
 */
export interface Env {
  APP_ENV: string;
  DATABASE_URL: string;
  DATABASE_READ_URL?: string;
  NEON_HTTP_ENDPOINT?: string;
  NEON_WS_PROXY?: string;
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
  JWT_SECRET: string;
  PASSWORD_PEPPER: string;
  METRICS_TOKEN: string;
  CORS_ORIGINS?: string;
  LOG_LEVEL?: string;
  ASSETS?: Fetcher;
}

const envSchema = z.object({
  APP_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: z.string().url(),
  DATABASE_READ_URL: z.string().url().optional().or(z.literal('').transform(() => undefined)),
  NEON_HTTP_ENDPOINT: z.string().url().optional().or(z.literal('').transform(() => undefined)),
  NEON_WS_PROXY: z.string().optional().or(z.literal('').transform(() => undefined)),
  UPSTASH_REDIS_REST_URL: z.string().url(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters'),
  PASSWORD_PEPPER: z.string().min(16, 'PASSWORD_PEPPER must be at least 16 characters'),
  METRICS_TOKEN: z.string().min(16),
  CORS_ORIGINS: z.string().optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type Config = z.infer<typeof envSchema> & {
  corsOrigins: string[];
};

// Env objects are stable for an isolate's life, so validating once per object is enough.
const cache = new WeakMap<object, Config>();

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates the Worker's vars once; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid Worker configuration: ${problems}`);
  }
  const config: Config = {
    ...parsed.data,
    corsOrigins: (parsed.data.CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
  cache.set(env, config);
  return config;
}
