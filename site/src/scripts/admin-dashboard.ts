// Admin dashboard (`/{lang}/admin/dashboard`): users, registrations, payments and content
// from the platform rollups; operations (requests, errors, p95, cache hits, 429s, queue depth
// and age, dead letters) from the per-minute rows the Worker isolates flush. Re-read every
// minute while open.
import { api, errorMessage } from '../lib/api';
import { barChart } from '../lib/chart';
import { byId, h, setState } from '../lib/dom';
import { locale, tc } from '../lib/i18n-client';
import { requireUser } from '../lib/session';
import type { OpsDashboard, OpsQueue, PlatformDashboard } from '../lib/types';

type Role = keyof PlatformDashboard['usersByRole'];
type Platform = PlatformDashboard;
type Ops = OpsDashboard;

const region = byId('admin-dash');
const windowSelect = byId<HTMLSelectElement>('adm-window');
const REFRESH_MS = 60_000;
const money = (minor: number, currency: string) =>
  new Intl.NumberFormat(locale(), { style: 'currency', currency, maximumFractionDigits: 2 }).format(minor / 100);

async function loadPlatform(): Promise<void> {
  const p = await api.get<Platform>('/api/admin/dashboard', { lang: false });
  for (const dd of byId('adm-roles').querySelectorAll<HTMLElement>('[data-role]'))
    dd.textContent = String(p.usersByRole[dd.dataset.role as Role]);
  for (const dd of byId('adm-content').querySelectorAll<HTMLElement>('[data-content]')) {
    dd.textContent = String(p.content[dd.dataset.content as 'courses']);
  }
  byId('adm-pending').textContent = tc('dash.pending', { count: p.pendingTeachers.count });
  const roles: Role[] = ['learner', 'parent', 'teacher', 'admin'];
  byId('adm-registrations').replaceChildren(
    barChart({
      id: 'chart-registrations',
      title: tc('dash.registrations'),
      xLabel: tc('dash.period'),
      yLabel: tc('dash.count'),
      labels: p.registrations.map((r) => r.period),
      series: roles
        .slice(0, 2)
        .map((role, i) => ({ label: tc(`dash.role.${role}`), values: p.registrations.map((r) => r[role]), cls: `s${i + 1}` })),
    }),
  );
  byId('adm-payments').replaceChildren(
    ...p.payments.map((x) =>
      h(
        'tr',
        {},
        h('td', {}, x.period),
        h('td', {}, x.currency),
        h('td', {}, String(x.succeeded)),
        h('td', {}, money(x.volume, x.currency)),
        h('td', {}, `${x.refunded} (${money(x.refundedAmount, x.currency)})`),
      ),
    ),
  );
}

async function loadOps(): Promise<void> {
  const o = await api.get<Ops>('/api/admin/dashboard/ops', { query: { window: windowSelect.value }, lang: false });
  const labels = o.total.map((p) => new Date(p.at).toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' }));
  const box = byId('adm-ops');
  box.dataset.requests = String(o.total.reduce((n, p) => n + p.requests, 0));
  box.replaceChildren(
    barChart({
      id: 'chart-requests',
      title: tc('dash.requests'),
      xLabel: tc('dash.time'),
      yLabel: tc('dash.count'),
      labels,
      series: [{ label: tc('dash.requests'), values: o.total.map((p) => p.requests), cls: 's1' }],
    }),
    barChart({
      id: 'chart-errors',
      title: `${tc('dash.errors')} / ${tc('dash.rateLimited')}`,
      xLabel: tc('dash.time'),
      yLabel: tc('dash.count'),
      labels,
      series: [
        { label: tc('dash.errors'), values: o.total.map((p) => p.errors), cls: 's1' },
        { label: tc('dash.rateLimited'), values: o.total.map((p) => p.rateLimited), cls: 's2' },
      ],
    }),
    barChart({
      id: 'chart-p95',
      title: tc('dash.p95'),
      xLabel: tc('dash.time'),
      yLabel: 'ms',
      labels,
      series: [{ label: tc('dash.p95'), values: o.total.map((p) => p.p95Ms), cls: 's1' }],
    }),
    barChart({
      id: 'chart-error-rate',
      title: tc('dash.errorRate'),
      xLabel: tc('dash.time'),
      yLabel: '%',
      labels,
      series: [
        {
          label: tc('dash.errorRate'),
          values: o.total.map((p) => (p.errorRate === null ? null : Math.round(p.errorRate * 1000) / 10)),
          cls: 's1',
        },
      ],
    }),
    barChart({
      id: 'chart-family-p95',
      title: tc('dash.familyP95'),
      xLabel: tc('dash.family'),
      yLabel: 'ms',
      labels: o.families.map((f) => f.family),
      series: [{ label: tc('dash.p95'), values: o.families.map((f) => f.p95Ms), cls: 's1' }],
    }),
  );
  byId('adm-cache').textContent = tc('dash.cacheHitRate', {
    rate: o.cache.hitRate === null ? '—' : `${Math.round(o.cache.hitRate * 100)} %`,
  });
  renderQueues(o.queues, o.step);
  byId('adm-families').replaceChildren(
    ...o.families.map((f) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, f.family),
        h('td', {}, String(f.requests)),
        h('td', {}, String(f.errors)),
        h('td', {}, String(f.p95Ms)),
      ),
    ),
  );
}

/** Queue charts on one time axis (the steps any queue has a row for), and the latest state per queue as a table. */
function renderQueues(queues: OpsQueue[], step: Ops['step']): void {
  const steps = [...new Set(queues.flatMap((q) => q.points.map((p) => p.at)))].sort();
  const labels = steps.map((at) =>
    new Date(at).toLocaleTimeString(locale(), step === 'hour' ? { hour: '2-digit' } : { hour: '2-digit', minute: '2-digit' }),
  );
  const valuesOf = (q: OpsQueue, f: (p: OpsQueue['points'][number]) => number | null) =>
    steps.map((at) => {
      const p = q.points.find((x) => x.at === at);
      return p ? f(p) : null;
    });
  const work = queues.filter((q) => !q.deadLetter);
  const dead = queues.filter((q) => q.deadLetter);
  const cls = (i: number) => `s${(i % 2) + 1}`;
  const box = byId('adm-queues');
  box.dataset.depth = String(work.reduce((n, q) => n + (q.points.at(-1)?.depth ?? 0), 0));
  box.dataset.deadLetters = String(dead.reduce((n, q) => n + q.deadLettered, 0));
  box.replaceChildren(
    barChart({
      id: 'chart-queue-depth',
      title: tc('dash.queueDepth'),
      xLabel: tc('dash.time'),
      yLabel: tc('dash.count'),
      labels,
      series: work.map((q, i) => ({ label: q.queue, values: valuesOf(q, (p) => p.depth), cls: cls(i) })),
    }),
    barChart({
      id: 'chart-queue-age',
      title: tc('dash.queueAge'),
      xLabel: tc('dash.time'),
      yLabel: tc('dash.seconds'),
      labels,
      series: work.map((q, i) => ({ label: q.queue, values: valuesOf(q, (p) => p.oldestAgeSec), cls: cls(i) })),
    }),
    barChart({
      id: 'chart-dlq',
      title: tc('dash.deadLetters'),
      xLabel: tc('dash.time'),
      yLabel: tc('dash.count'),
      labels,
      series: dead.map((q, i) => ({ label: q.queue, values: valuesOf(q, (p) => p.deadLettered), cls: cls(i) })),
    }),
  );
  const dash = (v: number | null | undefined) => (v === null || v === undefined ? '—' : String(v));
  byId('adm-queue-table').replaceChildren(
    ...queues.map((q) => {
      const last = q.points.at(-1);
      const handled = q.points.reduce((n, p) => n + p.handled, 0);
      const waited = q.points.reduce((n, p) => n + (p.meanWaitMs ?? 0) * p.handled, 0);
      return h(
        'tr',
        {},
        h('th', { scope: 'row' }, q.queue),
        h('td', {}, q.deadLetter ? '—' : dash(last?.depth)),
        h('td', {}, q.deadLetter ? '—' : dash(last?.oldestAgeSec)),
        h('td', {}, String(handled)),
        h('td', {}, handled ? String(Math.round(waited / handled)) : '—'),
        h('td', {}, String(q.deadLettered)),
      );
    }),
  );
}

{
  void (async () => {
    setState(region, 'loading');
    if (!(await requireUser(['admin']))) return setState(region, 'forbidden');
    try {
      await Promise.all([loadPlatform(), loadOps()]);
      setState(region, 'ready');
    } catch (err) {
      setState(region, 'error', errorMessage(err));
      return;
    }
    window.setInterval(() => void Promise.all([loadPlatform(), loadOps()]).catch(() => {}), REFRESH_MS);
  })();
  windowSelect.addEventListener('change', () => void loadOps().catch((err: unknown) => setState(region, 'error', errorMessage(err))));
}
