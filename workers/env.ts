import { z } from 'zod';
import type { GameRoom } from './games/game-room.ts';
import type { UserLive } from './live/user-live.ts';

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
  /** Milliseconds an anonymous public answer is reused by the isolate (0: off); read before routing. */
  HOT_ANSWERS_MS?: string;
  ASSETS?: Fetcher;
  /** Optional Workers Analytics Engine dataset receiving every metric point (workers/lib/metrics.ts). */
  METRICS_AE?: AnalyticsEngineDataset;
  /** PDF reports and certificates (R2), their jobs queue and its dead-letter queue. */
  REPORTS_BUCKET?: R2Bucket;
  REPORTS_QUEUE?: Queue;
  REPORTS_DLQ?: Queue;
  /** R2's S3 API, for presigned download URLs; unset locally (downloads go through the Worker). */
  R2_ACCOUNT_ID?: string;
  R2_ACCESS_KEY_ID?: string;
  R2_SECRET_ACCESS_KEY?: string;
  R2_BUCKET_NAME?: string;
  /** Per-user live notifications: one Durable Object per user holds their open pages' sockets. */
  LIVE?: DurableObjectNamespace<UserLive>;
  /** Payments: the provider ('mock' locally and in tests; never in production), its webhook secret. */
  PAYMENTS_PROVIDER?: string;
  PAYMENTS_WEBHOOK_SECRET?: string;
  /** Stripe (PAYMENTS_PROVIDER=stripe): the secret key; its hosted page returns to SITE_URL. */
  STRIPE_SECRET_KEY?: string;
  /** The mock provider's webhook deliveries (queue + dead letters) and its chaos settings. */
  PAYMENT_WEBHOOKS_QUEUE?: Queue;
  MOCK_PAY_DUPLICATE_RATE?: string;
  MOCK_PAY_MAX_DELAY_SEC?: string;
  /** Live quiz games: one Durable Object per game (workers/games/game-room.ts). */
  GAMES?: DurableObjectNamespace<GameRoom>;
  /** Email (workers/email/provider.ts): 'dev' (the local mailbox at /dev/mail) or 'resend'; its key and sender. */
  EMAIL_PROVIDER?: string;
  EMAIL_API_KEY?: string;
  EMAIL_FROM?: string;
  /** Course covers and avatars (workers/images); the bucket's name for presigned uploads through R2's S3 API. */
  IMAGES_BUCKET?: R2Bucket;
  R2_IMAGES_BUCKET_NAME?: string;
  /** The site's public origin, for links in emails (required in production: never taken from the request's Host). */
  SITE_URL?: string;
  /** Local runs under serve:prod only: the network without Miniflare's subrequest interceptor (workers/lib/direct-network.ts). */
  DIRECT_NETWORK?: Fetcher;
}

/**
 * Every binding and var wrangler.toml declares (generated into worker-configuration.d.ts by
 * `npm run cf-typegen`; `npm test` fails when that file is stale) is declared in Env above:
 * a binding added to wrangler.toml but not here is a type error naming it.
 */
type UndeclaredBindings = Exclude<keyof Cloudflare.Env, keyof Env>;
export const ENV_DECLARES_EVERY_BINDING: [UndeclaredBindings] extends [never] ? true : UndeclaredBindings = true;

const envSchema = z
  .object({
    APP_ENV: z.enum(['development', 'test', 'production']).default('development'),
    DATABASE_URL: z.string().url(),
    DATABASE_READ_URL: z
      .string()
      .url()
      .optional()
      .or(z.literal('').transform(() => undefined)),
    NEON_HTTP_ENDPOINT: z
      .string()
      .url()
      .optional()
      .or(z.literal('').transform(() => undefined)),
    NEON_WS_PROXY: z
      .string()
      .optional()
      .or(z.literal('').transform(() => undefined)),
    UPSTASH_REDIS_REST_URL: z.string().url(),
    UPSTASH_REDIS_REST_TOKEN: z.string().min(1),
    JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters'),
    PASSWORD_PEPPER: z.string().min(16, 'PASSWORD_PEPPER must be at least 16 characters'),
    METRICS_TOKEN: z.string().min(16),
    CORS_ORIGINS: z.string().optional(),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** Time budget of one Redis round trip on the request path (rate limits get twice that). */
    REDIS_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(250),
    // Bindings ride along in the config so domain operations (ctx.config) can reach them.
    REPORTS_BUCKET: z.custom<R2Bucket>((v) => typeof (v as R2Bucket | undefined)?.put === 'function').optional(),
    REPORTS_QUEUE: z.custom<Queue>((v) => typeof (v as Queue | undefined)?.send === 'function').optional(),
    REPORTS_DLQ: z.custom<Queue>((v) => typeof (v as Queue | undefined)?.send === 'function').optional(),
    R2_ACCOUNT_ID: z.string().optional(),
    R2_ACCESS_KEY_ID: z.string().optional(),
    R2_SECRET_ACCESS_KEY: z.string().optional(),
    R2_BUCKET_NAME: z.string().optional(),
    LIVE: z
      .custom<DurableObjectNamespace<UserLive>>((v) => typeof (v as DurableObjectNamespace | undefined)?.idFromName === 'function')
      .optional(),
    PAYMENTS_PROVIDER: z.enum(['mock', 'stripe']).default('mock'),
    PAYMENTS_WEBHOOK_SECRET: z
      .string()
      .min(32)
      .optional()
      .or(z.literal('').transform(() => undefined)),
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/, 'must be a Stripe secret or restricted key')
      .optional()
      .or(z.literal('').transform(() => undefined)),
    PAYMENT_WEBHOOKS_QUEUE: z.custom<Queue>((v) => typeof (v as Queue | undefined)?.send === 'function').optional(),
    /** Share of mock webhook events delivered twice, and the random delay (s) that shuffles their order. */
    MOCK_PAY_DUPLICATE_RATE: z.coerce.number().min(0).max(1).default(0),
    MOCK_PAY_MAX_DELAY_SEC: z.coerce.number().int().min(0).max(60).default(0),
    GAMES: z
      .custom<DurableObjectNamespace<GameRoom>>((v) => typeof (v as DurableObjectNamespace | undefined)?.idFromName === 'function')
      .optional(),
    IMAGES_BUCKET: z.custom<R2Bucket>((v) => typeof (v as R2Bucket | undefined)?.put === 'function').optional(),
    R2_IMAGES_BUCKET_NAME: z.string().optional(),
    EMAIL_PROVIDER: z
      .enum(['dev', 'resend'])
      .optional()
      .or(z.literal('').transform(() => undefined)),
    EMAIL_API_KEY: z
      .string()
      .optional()
      .or(z.literal('').transform(() => undefined)),
    EMAIL_FROM: z
      .string()
      .optional()
      .or(z.literal('').transform(() => undefined)),
    // The site's public origin, for links in emails and the checkout's return address.
    SITE_URL: z
      .string()
      .url()
      .transform((u) => new URL(u).origin)
      .optional()
      .or(z.literal('').transform(() => undefined)),
  })
  .refine((c) => !(c.APP_ENV === 'production' && c.PAYMENTS_PROVIDER === 'mock'), {
    path: ['PAYMENTS_PROVIDER'],
    message: 'the mock payment provider is not allowed in production',
  })
  .refine((c) => !(c.APP_ENV === 'production' && c.EMAIL_PROVIDER === 'dev'), {
    path: ['EMAIL_PROVIDER'],
    message: 'the dev mailbox is not allowed in production',
  });

export type Config = Omit<z.infer<typeof envSchema>, 'EMAIL_PROVIDER'> & {
  corsOrigins: string[];
  /** Unset means the dev mailbox locally and the real provider in production. */
  EMAIL_PROVIDER: 'dev' | 'resend';
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
    EMAIL_PROVIDER: parsed.data.EMAIL_PROVIDER ?? (parsed.data.APP_ENV === 'production' ? 'resend' : 'dev'),
    corsOrigins: (parsed.data.CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
  cache.set(env, config);
  return config;
}
