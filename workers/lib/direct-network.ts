/**
 * Subrequests straight to the network when the runner offers it (serve:prod, which the bench
 * measures). Miniflare sends every fetch of a Worker through an interceptor worker of its own — a
 * second isolate that copies each request's headers and makes another Request and Response —
 * which Cloudflare does not have; for this app that is every Postgres and Redis round trip. With
 * DIRECT_NETWORK bound (a workerd network service), the isolate's fetch goes to it, as on
 * Cloudflare. Unbound (production, `wrangler dev`, the tests) nothing changes.
 */
import type { Env } from '../env.ts';

let installed = false;

/** Once per isolate: the binding is the same for every request of it. */
export function useDirectNetwork(env: Pick<Env, 'DIRECT_NETWORK'> | undefined): void {
  if (installed || !env?.DIRECT_NETWORK) return;
  installed = true;
  const network = env.DIRECT_NETWORK;
  globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => network.fetch(input, init);
}
