/**
 * Logins of seeded accounts with the right password, each from its own address (per-IP and
 * per-account limits see many users, as in production). PBKDF2-SHA256 at 100,000 iterations
 * dominates: this measures what one isolate's CPU allows. No budget in SPEC; reported for
 * the identity issue's note (throughput, p99, CPU per login).
 */
import type { Scenario } from '../lib/scenario.ts';
import { seededPassword } from '../../scripts/seed/accounts.ts';

interface State {
  emails: string[];
  password: string;
  ip(n: number): string;
}

export const loginScenario: Scenario<State> = {
  name: 'login',
  title: 'login (PBKDF2 100k + session issue)',
  description: 'Seeded learners and parents logging in with their password from distinct addresses.',
  thinkTimeMs: 30 * 60_000,
  async setup(ctx) {
    const { rows } = await ctx.db.query<{ email: string }>(
      `select email from users where email like '%@seed.sabaq.local' and role in ('learner', 'parent') order by md5(id::text) limit $1`,
      [ctx.smoke ? 20 : 5000],
    );
    return { emails: rows.map((r) => r.email), password: seededPassword(), ip: ctx.ip };
  },
  unavailable: (s) => (s.emails.length ? undefined : 'no seeded accounts (run npm run seed:scale)'),
  mix: [
    {
      endpoint: 'POST /api/auth/login',
      weight: 1,
      build: (s, rng) => {
        const n = rng.int(s.emails.length);
        return {
          path: '/api/auth/login',
          headers: { 'cf-connecting-ip': s.ip(2_000_000 + rng.int(1_000_000)) },
          body: { email: s.emails[n], password: s.password },
        };
      },
    },
  ],
};
