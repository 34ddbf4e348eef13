/**
 * `npm start` fires the Worker's cron triggers as production does: `wrangler dev` runs no
 * schedule of its own, so without this the minute jobs (lost-webhook reconciliation, expired
 * checkouts, consultation reminders, attempt deadlines, the catalog's popular order) and the
 * five-minute statistics refresh never ran locally. Each minute the expressions of wrangler.toml
 * that match it are sent to `wrangler dev --test-scheduled`'s `/__scheduled` endpoint.
 */

/** Whether a cron expression fires at this minute. Only the forms wrangler.toml uses: `*` and `*\/N` in the minute field, `*` elsewhere. */
export function cronFires(expression: string, at: Date): boolean {
  const [minute, ...rest] = expression.trim().split(/\s+/);
  if (rest.length !== 4 || rest.some((f) => f !== '*')) throw new Error(`cron-ticker: unsupported expression "${expression}"`);
  if (minute === '*') return true;
  const step = /^\*\/(\d+)$/.exec(minute ?? '');
  if (!step) throw new Error(`cron-ticker: unsupported expression "${expression}"`);
  return at.getUTCMinutes() % Number(step[1]) === 0;
}

/** Starts ticking at the next minute boundary; returns a stop function. */
export function startCronTicker(baseUrl: string, crons: string[], log: (line: string) => void): () => void {
  for (const c of crons) cronFires(c, new Date()); // an unsupported expression fails at start, not a minute later
  let timer: ReturnType<typeof setTimeout> | undefined;
  let warned = false;
  const tick = async () => {
    const at = new Date();
    for (const cron of crons.filter((c) => cronFires(c, at))) {
      try {
        const res = await fetch(`${baseUrl}/__scheduled?cron=${encodeURIComponent(cron)}`, { signal: AbortSignal.timeout(50_000) });
        await res.body?.cancel();
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        warned = false;
      } catch (err) {
        if (!warned) log(`cron "${cron}" failed: ${err instanceof Error ? err.message : String(err)} (the Worker's log says why)`);
        warned = true;
      }
    }
    schedule();
  };
  const schedule = () => {
    timer = setTimeout(() => void tick(), 60_000 - (Date.now() % 60_000) + 100);
  };
  schedule();
  return () => clearTimeout(timer);
}
