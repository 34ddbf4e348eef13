import { FaultSwitch, faultRulesFromEnv } from './faults.ts';
import { startNeonEndpoint } from './neon-endpoint.ts';
import { startPostgres, type PostgresHandle } from './postgres.ts';
import { migrateDatabase } from './migrate.ts';
import { startRedis, type RedisHandle } from './redis.ts';
import { loadLocalSecrets, type LocalSecrets } from './secrets.ts';
import { freePort, preferPort } from './ports.ts';
import { startUpstashEndpoint } from './upstash-endpoint.ts';

export interface StackOptions {
  /** Data folder: embedded Postgres cluster, Redis dump, secrets. */
  dataDir: string;
  /** Keep data between runs (dev) or start clean and delete on stop (tests). */
  persistent: boolean;
  /** Use an existing Postgres instead of the embedded one. */
  databaseUrl?: string;
  /** With databaseUrl: work in a scratch database created for this run and dropped after. */
  scratchDatabase?: string;
  /** Use an existing Redis instead of spawning one. */
  redisUrl?: string;
  /** Keep secrets in the data folder (dev) or generate throwaway ones (tests). */
  keepSecrets: boolean;
  preferredPorts?: { postgres?: number; neon?: number; upstash?: number; redis?: number };
  log?: (line: string) => void;
}

export interface LocalStack {
  postgres: PostgresHandle;
  redis: RedisHandle;
  neon: { httpEndpoint: string; wsProxy: string };
  upstash: { url: string; token: string };
  /** Fault switches of the two local endpoints (off unless set; see scripts/local/faults.ts). */
  faults: { neon: FaultSwitch; upstash: FaultSwitch };
  secrets: LocalSecrets;
  /** Every var the Worker needs to reach this stack. */
  workerVars: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts the local stand-ins for Neon and Upstash in front of a real Postgres and a real
 * Redis, and applies the migrations. Used by `npm start` and by the test setup alike.
 */
const isAddrInUse = (err: unknown) => (err as { code?: unknown } | null)?.code === 'EADDRINUSE';

/**
 * Starts a local server on the preferred port when it is free, else on any free one; a port
 * taken between the check and the bind gets one more try on a fresh port, then a plain
 * message instead of a stack trace.
 */
export async function onFreePort<T>(what: string, preferred: number | undefined, start: (port: number) => Promise<T>): Promise<T> {
  let port = await preferPort(preferred);
  for (let attempt = 0; ; attempt++) {
    try {
      return await start(port);
    } catch (err) {
      if (!isAddrInUse(err)) throw err;
      if (attempt >= 2)
        throw new Error(
          `The ${what} could not get a port: ${port} is in use by another process (EADDRINUSE), and so were the free ports tried after it.`,
        );
      port = await freePort();
    }
  }
}

export async function startStack(opts: StackOptions): Promise<LocalStack> {
  const log = opts.log ?? (() => {});
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((e: unknown) => log(`stop failed: ${String(e)}`));
  };
  try {
    // Read first, so a malformed rule stops the start before anything runs.
    const faults = {
      neon: new FaultSwitch(faultRulesFromEnv('SABAQ_NEON_FAULTS')),
      upstash: new FaultSwitch(faultRulesFromEnv('SABAQ_UPSTASH_FAULTS')),
    };
    // Loud on purpose: a stack with faults on must never be mistaken for a healthy one.
    if (faults.neon.active) console.warn('SABAQ_NEON_FAULTS: faults are being injected into the local Neon endpoint');
    if (faults.upstash.active) console.warn('SABAQ_UPSTASH_FAULTS: faults are being injected into the local Upstash endpoint');
    const secrets = loadLocalSecrets(opts.keepSecrets ? opts.dataDir : undefined);
    const [postgres, redis] = await Promise.all([
      startPostgres({
        externalUrl: opts.databaseUrl,
        scratchDatabase: opts.scratchDatabase,
        dataDir: opts.dataDir,
        persistent: opts.persistent,
        preferredPort: opts.preferredPorts?.postgres,
      }),
      startRedis({
        url: opts.redisUrl,
        dataDir: opts.dataDir,
        persistent: opts.persistent,
        preferredPort: opts.preferredPorts?.redis,
        log,
      }),
    ]);
    stops.push(
      () => postgres.stop(),
      () => redis.stop(),
    );
    await migrateDatabase(postgres.url);

    // A second stack on this machine (another checkout, a bench next to a dev server) takes
    // free ports instead of dying on the preferred ones.
    const neon = await onFreePort('Neon endpoint', opts.preferredPorts?.neon, (port) =>
      startNeonEndpoint({ port, log, faults: faults.neon }),
    );
    stops.push(() => neon.close());
    const upstash = await onFreePort('Upstash endpoint', opts.preferredPorts?.upstash, (port) =>
      startUpstashEndpoint({ redis, token: secrets.UPSTASH_REDIS_REST_TOKEN, port, faults: faults.upstash }),
    );
    stops.push(() => upstash.close());

    const workerVars: Record<string, string> = {
      DATABASE_URL: postgres.url,
      NEON_HTTP_ENDPOINT: neon.httpEndpoint,
      NEON_WS_PROXY: neon.wsProxy,
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: secrets.UPSTASH_REDIS_REST_TOKEN,
      JWT_SECRET: secrets.JWT_SECRET,
      PASSWORD_PEPPER: secrets.PASSWORD_PEPPER,
      METRICS_TOKEN: secrets.METRICS_TOKEN,
    };
    return {
      postgres,
      redis,
      neon: { httpEndpoint: neon.httpEndpoint, wsProxy: neon.wsProxy },
      upstash: { url: upstash.url, token: secrets.UPSTASH_REDIS_REST_TOKEN },
      faults,
      secrets,
      workerVars,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
