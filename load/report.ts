/** The bench report as Markdown (for people) and JSON (for tools), under load/reports/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { timelineSvg } from './plot.ts';
import { join } from 'node:path';
import type { BenchReport, ScenarioEntry } from './bench.ts';
import type { EndpointReport } from './lib/run.ts';
import type { Second } from './lib/phased.ts';

const n = (x: number | undefined, digits = 0) =>
  x === undefined ? '—' : x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
const ms = (x: number | undefined) =>
  x === undefined ? '—' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en');
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)} %`);
const errs = (e: Record<string, number>) =>
  Object.keys(e).length
    ? Object.entries(e)
        .map(([s, c]) => `${s}×${c}`)
        .join(', ')
    : '0';

function budgetText(s: ScenarioEntry): string {
  const b = s.budget;
  if (!b) return 'none';
  const parts = [];
  if (b.p99Ms !== undefined) parts.push(`p99 < ${b.p99Ms} ms`);
  if (b.p95Ms !== undefined) parts.push(`p95 < ${b.p95Ms} ms`);
  for (const a of b.alsoLatency ?? []) parts.push(`${a.of} p95 < ${a.p95Ms} ms`);
  if (b.zeroErrors) parts.push('0 errors');
  if (b.checks) parts.push('checks');
  return parts.join(', ');
}

function endpointRow(e: EndpointReport): string {
  const edge = e.edgeCache ? ` (edge ${e.edgeCache.hits}/${e.edgeCache.hits + e.edgeCache.misses})` : '';
  return `| \`${e.endpoint}\` | ${n(e.sent)} | ${n(e.achievedRate, 1)} | ${ms(e.latency.p50)} | ${ms(e.latency.p95)} | ${ms(e.latency.p99)} | ${ms(e.latency.max)} | ${errs(e.errorsByStatus)}${edge} |`;
}

/** `plots`: the chart file of a phased scenario, by scenario name (written beside the report). */
export function toMarkdown(r: BenchReport, plots?: Map<string, string>): string {
  const out: string[] = [];
  const hello = r.ceilings.hello;
  out.push(`# Sabaq ${r.kind === 'smoke' ? 'bench smoke run' : 'bench'} — ${r.startedAt.replace('T', ' ').slice(0, 19)} UTC`, '');
  out.push(
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, ${r.machine.platform}, Node ${r.machine.node}. ` +
      `Everything (workerd, Postgres, Redis, the local Neon and Upstash endpoints, the load generator) shares these cores; ` +
      `load average when the run started: ${r.machine.loadAverage.join(' / ')} (1 / 5 / 15 min — anything above ~0.5 means other work was competing for the CPU).`,
    '',
    `Target: ${r.target.url} — the production bundle (\`wrangler deploy --dry-run\`${r.target.bundleMb ? `, ${r.target.bundleMb} MB` : ''}) in workerd through Miniflare, no dev proxy.`,
    '',
    `Data: ${Object.entries(r.data)
      .map(([k, v]) => `${k} ≈ ${n(v)}`)
      .join(', ')} (planner estimates).`,
    '',
    '## Runtime ceiling',
    '',
    '| what | how | req/s | p50 ms | p99 ms | errors |',
    '|---|---|---:|---:|---:|---:|',
  );
  if (hello)
    out.push(
      `| hello-world worker (same workerd/Miniflare setup, direct socket) | closed loop, ${hello.connections} connections, ${hello.durationMs / 1000} s | ${n(hello.rate)} | ${ms(hello.latency.p50)} | ${ms(hello.latency.p99)} | ${hello.errors} |`,
    );
  const h = r.ceilings.health;
  if (h)
    out.push(
      `| \`GET /api/health\` | closed loop, ${h.connections} connections, ${h.durationMs / 1000} s | ${n(h.rate)} | ${ms(h.latency.p50)} | ${ms(h.latency.p99)} | ${h.errors} |`,
    );
  const ho = r.ceilings.healthOpen;
  if (ho)
    out.push(
      `| \`GET /api/health\` | open model, ${n(ho.rate)} req/s offered | ${n(ho.achieved)} | ${ms(ho.latency.p50)} | ${ms(ho.latency.p99)} | ${ho.errors} |`,
    );
  out.push(
    '',
    "Closed-loop rows measure capacity only; their latencies are not comparable with the open model, where latency counts from each request's intended start.",
    '',
  );

  out.push(
    '## Budgets',
    '',
    '| scenario | offered /s | achieved /s | × hello | p50 ms | p95 ms | p99 ms | max ms | errors | cache hit | budget | verdict |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---|',
  );
  for (const s of r.scenarios) {
    const x = s.result;
    if (!x) {
      out.push(`| ${s.title} | ${n(s.budget?.rate)} | — | — | — | — | — | — | — | — | ${budgetText(s)} | **${s.verdict}** |`);
      continue;
    }
    const lat = s.budget?.latencyOf
      ? (x.endpoints.find((e) => e.endpoint === s.budget!.latencyOf)?.latency ?? x.total.latency)
      : x.total.latency;
    out.push(
      `| ${s.title}${x.mode === 'sessions' ? ' (sessions)' : ''} | ${n(x.offeredRate)} | ${n(x.achievedRate, 1)} | ${s.ceilingShare !== undefined ? pct(s.ceilingShare) : '—'} | ${ms(lat.p50)} | ${ms(lat.p95)} | ${ms(lat.p99)} | ${ms(lat.max)} | ${errs(x.total.errorsByStatus)} | ${pct(x.server?.cache.hitRate)} | ${budgetText(s)} | **${s.verdict}** |`,
    );
  }
  out.push('');
  const knees = r.scenarios.filter((s) => s.knee);
  if (knees.length) {
    out.push(
      '### Highest rate meeting the budget (--knee: 10–30 s steps, 2 s ramp each, up to 4× the budget rate)',
      '',
      '| scenario | steps (rate → achieved, p99, errors) | highest passing rate | × hello |',
      '|---|---|---:|---:|',
    );
    for (const s of knees) {
      const steps = s
        .knee!.steps.map((k) => `${n(k.rate)} → ${n(k.achieved, 1)}/s, ${ms(k.p99)} ms, ${k.errors} ${k.pass ? '✔' : '✘'}`)
        .join('; ');
      out.push(
        `| ${s.scenario} | ${steps} | ${s.knee!.maxPassingRate === null ? 'below the first step' : `${n(s.knee!.maxPassingRate)} /s`} | ${
          s.knee!.maxPassingRate !== null && hello?.rate ? `${((100 * s.knee!.maxPassingRate) / hello.rate).toFixed(1)} %` : '—'
        } |`,
      );
    }
    out.push('');
  }
  const notes = r.scenarios.filter((s) => s.reasons.length);
  if (notes.length) {
    out.push('Why:', '');
    for (const s of notes) out.push(`- **${s.scenario}** (${s.verdict}): ${s.reasons.join('; ')}`);
    out.push('');
  }

  for (const s of r.scenarios) {
    const ph = s.phased;
    if (!ph) continue;
    out.push(
      `## ${s.scenario} (${s.verdict})`,
      '',
      `${s.title}; budget p99 < ${ph.budgetP99Ms} ms. 503 answers are counted as shed (admission control), not as failures of the accepted requests.`,
      '',
    );
    out.push(
      '| phase | offered /s | goodput /s | shed | shed p99 ms | timeouts | other errors | accepted p50 ms | accepted p99 ms |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const p of ph.result.phases)
      out.push(
        `| ${p.label} | ${n(p.rate)} | ${n(p.goodput, 1)} | ${n(p.shed)} | ${p.shed ? ms(p.shedLatency.p99) : '—'} | ${n(p.timeouts)} | ${n(p.errors)} | ${ms(p.accepted.p50)} | ${ms(p.accepted.p99)} |`,
      );
    out.push('');
    if (ph.recovery)
      out.push(
        `Back within budget (3 s in a row: nothing shed, p99 < ${ph.budgetP99Ms} ms): ${ph.recovery.map((x) => `after ${x.after} ${x.seconds === null ? 'never' : `${x.seconds} s`}`).join(' · ')}`,
        '',
      );
    if (ph.lastWindow)
      out.push(
        `Last 20 s: p99 ${ms(ph.lastWindow.p99)} ms, ${n(ph.lastWindow.ok)} ok, ${n(ph.lastWindow.failed)} failed; within budget from second ${ph.settledAfterS ?? 'never'} on.`,
        '',
      );
    if (ph.admission)
      out.push(
        `Admission decisions (server): ${
          Object.entries(ph.admission)
            .map(([k, v]) => `${k} ${n(v)}`)
            .join(', ') || 'none'
        }${ph.isolateRestarted ? ' · **the isolate restarted**' : ''}`,
        '',
      );
    if (ph.cpuPerRequest)
      out.push(
        `CPU per received response: ${Object.entries(ph.cpuPerRequest)
          .map(([k, v]) => `${k} ${ms(v)} ms`)
          .join(' · ')}`,
        '',
      );
    const plot = plots?.get(s.scenario);
    if (plot) out.push(`![${s.scenario}: offered load, goodput, shed and p99 second by second](${plot})`, '');
    out.push(...perSecond(ph.result.seconds));
  }

  for (const s of r.scenarios) {
    const x = s.result;
    if (!x) continue;
    out.push(
      `## ${s.scenario}`,
      '',
      `${s.title}. ${x.mode === 'sessions' ? `Sessions: ${n(x.offeredRate)} started per second, think time ~${x.thinkTimeMs / 1000} s.` : `Open model, ${n(x.offeredRate)} req/s for ${x.durationMs / 1000} s (${n(x.scheduled)} arrivals${x.skipped ? `, ${x.skipped} without data` : ''}); at a think time of ~${x.thinkTimeMs / 1000} s this is the traffic of ≈ ${n(x.equivalentUsers)} active users.`}`,
      '',
    );
    out.push(
      '| endpoint | sent | achieved /s | p50 ms | p95 ms | p99 ms | max ms | errors by status |',
      '|---|---:|---:|---:|---:|---:|---:|---|',
    );
    for (const e of x.endpoints) out.push(endpointRow(e));
    out.push(endpointRow({ ...x.total, endpoint: 'all' }).replace('`all`', '**all**'), '');
    if (!x.server) out.push('Server view: GET /api/metrics could not be read before or after the run.', '');
    if (x.server) {
      const sv = x.server;
      out.push(
        `Server view (GET /api/metrics, before/after): ${sv.isolateRestarted ? '**the isolate was restarted during the run, so its counters started again from zero** — no comparison possible' : `counted ${n(sv.counted)} requests${sv.refused ? ` (${n(sv.refused)} of them refused by admission control)` : ''}, the load generator received ${n(sv.received)}${sv.timeouts ? ` (+${sv.timeouts} client timeouts)` : ''} — ${sv.agree ? 'they agree' : '**they disagree**'}`}. ` +
          `5xx: ${n(sv.http5xx)}. Cache: ${
            sv.cache.hits + sv.cache.misses
              ? `${n(sv.cache.hits)} hits, ${n(sv.cache.misses)} misses (${pct(sv.cache.hitRate)}), ${n(sv.cache.errors)} errors${
                  Object.keys(sv.cache.byFamily).length
                    ? ` — ${Object.entries(sv.cache.byFamily)
                        .map(([f, c]) => `${f} ${c.hits}/${c.hits + c.misses}`)
                        .join(', ')}`
                    : ''
                }`
              : 'no cache lookups in this window'
          }. ` +
          `Postgres round trips: ${sv.db.calls ? `${n(sv.db.calls)} (mean ${sv.db.meanMs} ms)` : 'none recorded'}; Redis: ${sv.redis.calls ? `${n(sv.redis.calls)} (mean ${sv.redis.meanMs} ms)` : 'none recorded'}.` +
          `${
            Object.keys(sv.rateLimit).length
              ? ` Rate limits: ${Object.entries(sv.rateLimit)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ')}.`
              : ''
          }`,
        '',
      );
    }
    if (x.backend && Object.keys(x.backend).length) {
      out.push(
        `Backends over the window (their own counters): ${Object.entries(x.backend)
          .map(([k, v]) => `${k} ${n(v.total)}${v.perRequest !== null ? ` (${v.perRequest} per answered request)` : ''}`)
          .join('; ')}.`,
        '',
      );
    }
    if (s.recoveryMs !== undefined && s.recoveryMs > 5000)
      out.push(
        `After the run the server needed ${(s.recoveryMs / 1000).toFixed(1)} s to answer /api/ready promptly again (working off its backlog).`,
        '',
      );
    out.push(
      `Load generator: concurrency cap ${x.client.concurrency}, at most ${x.client.maxInFlight} in flight, cap hit ${n(x.client.capHits)} times${x.client.dropped ? `, ${x.client.dropped} dropped` : ''}; ` +
        `arrivals fired late by p99 ${ms(x.generatorLag.p99)} ms, max ${ms(x.generatorLag.max)} ms (generator lag — counted in the latencies above).`,
      '',
    );
    if (x.seconds?.length) out.push(...perSecond(x.seconds));
    if (x.checks.length) {
      out.push(...x.checks.map((c) => `- ${c.ok ? '✔' : '✘'} ${c.name}: ${c.detail}`), '');
    }
    const samples = x.endpoints.flatMap((e) => e.samples).slice(0, 4);
    if (samples.length) out.push('Sample failures:', '', ...samples.map((m) => `- \`${m.replace(/`/g, "'")}\``), '');
  }
  out.push(`Verdict: **${r.passed ? 'all budgets that ran passed' : 'at least one budget failed'}**. Finished ${r.finishedAt}.`, '');
  return out.join('\n');
}

/** A run second by second: where its tail came from (a burst at the start, a stall, or saturation throughout). */
function perSecond(seconds: Second[]): string[] {
  return [
    'Per second (by intended start): second, phase, offered, goodput, shed (503), timeouts + errors, p99 of the accepted (ms):',
    '',
    '```',
    ...seconds.map(
      (x) =>
        `${String(x.t).padStart(3)} ${x.phase.padEnd(16)} ${String(x.offered).padStart(5)} ${String(x.ok).padStart(5)} ${String(x.shed).padStart(5)} ${String(x.timeouts + x.errors).padStart(4)} ${ms(x.p99).padStart(7)}`,
    ),
    '```',
    '',
  ];
}

/** Writes `<kind>-<timestamp>.{md,json}` and `<kind>-latest.{md,json}`; returns the Markdown path. */
export function writeReport(r: BenchReport, dir: string): { md: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const stamp = r.startedAt.replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  // The phased runs (overload, cold start) get their timeline as a chart beside the report.
  const plots = new Map<string, string>();
  for (const s of r.scenarios) {
    if (!s.phased?.result.seconds.length) continue;
    const file = `${r.kind}-${stamp}-${s.scenario}.svg`;
    writeFileSync(join(dir, file), timelineSvg(s.title, s.phased.result.seconds, s.phased.budgetP99Ms));
    plots.set(s.scenario, file);
  }
  const md = toMarkdown(r, plots);
  const json = JSON.stringify(r, null, 2);
  const base = join(dir, `${r.kind}-${stamp}`);
  writeFileSync(`${base}.md`, md);
  writeFileSync(`${base}.json`, json);
  writeFileSync(join(dir, `${r.kind}-latest.md`), md);
  writeFileSync(join(dir, `${r.kind}-latest.json`), json);
  return { md: `${base}.md`, json: `${base}.json` };
}
