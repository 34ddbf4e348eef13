// Admin dashboard (`/{lang}/admin/dashboard`): users, registrations, payments and content
// from the platform rollups; operations (requests, errors, p95, cache hits, 429s) from the
// per-minute rows the Worker isolates flush. Re-read every minute while open.
import { api, errorMessage } from '../lib/api';
import { barChart } from '../lib/chart';
import { byId, h, setState } from '../lib/dom';
import { locale, tc } from '../lib/i18n-client';
import { requireUser } from '../lib/session';

type Role = 'learner' | 'parent' | 'teacher' | 'admin';
interface Platform {
  usersByRole: Record<Role, number>;
  registrations: ({ period: string } & Record<Role, number>)[];
  pendingTeachers: { count: number };
  payments: { period: string; currency: string; succeeded: number; volume: number; refunded: number; refundedAmount: number }[];
  content: Record<'courses' | 'published' | 'reviews' | 'hiddenReviews' | 'publishedTests', number>;
}
interface Ops {
  total: { at: string; requests: number; errors: number; p95Ms: number; rateLimited: number }[];
  families: { family: string; requests: number; errors: number; p95Ms: number }[];
  cache: { hitRate: number | null };
}

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
      title: `${tc('dash.requests')} / ${tc('dash.errors')} / ${tc('dash.rateLimited')}`,
      xLabel: tc('dash.time'),
      yLabel: tc('dash.count'),
      labels,
      series: [
        { label: tc('dash.requests'), values: o.total.map((p) => p.requests), cls: 's1' },
        { label: tc('dash.errors'), values: o.total.map((p) => p.errors + p.rateLimited), cls: 's2' },
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
  );
  byId('adm-cache').textContent = tc('dash.cacheHitRate', {
    rate: o.cache.hitRate === null ? '—' : `${Math.round(o.cache.hitRate * 100)} %`,
  });
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
