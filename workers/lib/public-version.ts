/**
 * A per-isolate counter of changes to shared (public) data: every cache invalidation in this
 * isolate moves it (lib/cache.ts `bump`). Answers the isolate keeps for a moment
 * (admission-gate.ts, hot copies) are reused only while it has not moved since their request
 * started, so an isolate never serves its own write's old answer.
 */
let version = 0;

export const publicDataVersion = (): number => version;

export function publicDataChanged(): void {
  version++;
}
