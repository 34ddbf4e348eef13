import type { Config } from '../env.ts';
import type { Logger } from './logger.ts';
import type { Services } from './services.ts';

/**
 * What a domain operation gets: adapters, config and a logger — never the HTTP request,
 * so the API, queue consumers and scripts call the same functions.
 */
export interface Ctx {
  services: Services;
  config: Config;
  log: Logger;
  /** Schedules work that may finish after the response (ExecutionContext.waitUntil). */
  defer(promise: Promise<unknown>): void;
}

/** The user an operation acts for, as established by authentication. */
export interface Actor {
  id: string;
  role: 'learner' | 'parent' | 'teacher' | 'admin';
  sessionId: string;
  /** Whether the user has a live socket open (read with the session check); undefined when unknown. */
  live?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids are opaque to clients; anything that is not one of ours simply does not exist. */
export const isId = (s: string) => UUID.test(s);
