/**
 * What scenarios pick their ids from: the seeded database (npm run seed:scale), read
 * directly at setup, and sessions of seeded accounts logged in through the real API.
 */
import type pg from 'pg';
import { SEED_EMAIL_DOMAIN, seededPassword } from '../../scripts/seed/accounts.ts';
import { SUBJECTS, capitalize, type Lang } from '../../scripts/seed/words.ts';
import type { Rng } from '../lib/rng.ts';
import type { SetupContext } from '../lib/scenario.ts';

export const LANGS: Lang[] = ['ru', 'kk', 'en'];

export interface Session {
  userId: string;
  email: string;
  token: string;
  /** The client address this user's requests come from. */
  ip: string;
}

export async function tableExists(db: pg.Pool, name: string): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>('select to_regclass($1) is not null as ok', [`public.${name}`]);
  return rows[0]!.ok;
}

/** A reproducible sample of published courses (ordered by a hash of id and seed, not by insertion). */
export async function samplePublishedCourses(db: pg.Pool, n: number, seed: number, where = 'true') {
  const { rows } = await db.query<{ id: string; language: Lang; price_amount: number; category: string | null }>(
    `select c.id, c.language, c.price_amount, cat.slug as category
     from courses c left join categories cat on cat.id = c.category_id
     where c.published and ${where}
     order by md5(c.id::text || $1) limit $2`,
    [String(seed), n],
  );
  return rows;
}

export async function categorySlugs(db: pg.Pool): Promise<string[]> {
  const { rows } = await db.query<{ slug: string }>('select slug from categories order by position');
  return rows.map((r) => r.slug);
}

/** Logs seeded accounts in through POST /api/auth/login, each from its own address (per-IP login limits). */
export async function login(ctx: SetupContext, emails: string[], parallel = 4): Promise<Session[]> {
  const password = seededPassword();
  const out: Session[] = [];
  const failures: string[] = [];
  let i = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (i < emails.length) {
        const n = i++;
        const email = emails[n]!;
        const ip = ctx.ip(1_000_000 + n);
        let o = await ctx.client.send({
          endpoint: 'POST /api/auth/login',
          method: 'POST',
          path: '/api/auth/login',
          headers: { 'cf-connecting-ip': ip },
          body: { email, password },
          readBody: true,
        });
        // A busy server may shed a login (503 when the rate limiter cannot reach Redis): back off and retry.
        for (let retry = 0; retry < 4 && (o.status === 503 || o.status === 'timeout' || o.status === 'network'); retry++) {
          await new Promise((r) => setTimeout(r, 1000 * 2 ** retry));
          o = await ctx.client.send({
            endpoint: 'POST /api/auth/login',
            method: 'POST',
            path: '/api/auth/login',
            headers: { 'cf-connecting-ip': ip },
            body: { email, password },
            readBody: true,
          });
        }
        const body = o.body as { accessToken?: string; user?: { id: string } } | undefined;
        if (o.status === 200 && body?.accessToken && body.user) out.push({ userId: body.user.id, email, token: body.accessToken, ip });
        else if (failures.length < 3) failures.push(`${email}: ${o.status} ${JSON.stringify(o.body ?? o.error).slice(0, 200)}`);
      }
    }),
  );
  if (!out.length && emails.length)
    throw new Error(`no seeded account could log in (is the database seeded? npm run seed:scale). ${failures.join('; ')}`);
  if (failures.length) ctx.log(`  ${emails.length - out.length} of ${emails.length} logins failed, e.g. ${failures[0]}`);
  return out;
}

export const seededEmail = (role: string, k: number) => `${role}.${k}@${SEED_EMAIL_DOMAIN}`;

export const auth = (s: Session) => ({ authorization: `Bearer ${s.token}`, 'cf-connecting-ip': s.ip });

// ---------------------------------------------------------------------------------------------
// Search queries: words of the seeded titles, in the three languages, with the typos people make.

const KK_TO_RU: Record<string, string> = { ә: 'а', ғ: 'г', қ: 'к', ң: 'н', ө: 'о', ұ: 'у', ү: 'у', һ: 'х', і: 'и' };

/** One realistic typo: a dropped, doubled or swapped letter, or Kazakh letters typed on a Russian layout. */
export function typo(word: string, rng: Rng): string {
  const chars = [...word];
  if (chars.length < 4) return word;
  const kind = rng.int(4);
  const i = 1 + rng.int(chars.length - 2);
  if (kind === 0 && chars.some((c) => KK_TO_RU[c])) return chars.map((c) => KK_TO_RU[c] ?? c).join('');
  if (kind === 1) return [...chars.slice(0, i), ...chars.slice(i + 1)].join('');
  if (kind === 2) return [...chars.slice(0, i), chars[i]!, ...chars.slice(i)].join('');
  [chars[i], chars[i - 1]] = [chars[i - 1]!, chars[i]!];
  return chars.join('');
}

const VOCAB: Record<Lang, string[]> = { ru: [], kk: [], en: [] };
for (const s of SUBJECTS) {
  LANGS.forEach((l, k) => {
    VOCAB[l].push(s.title[k]!);
    for (const t of s.topics) VOCAB[l].push(t[k]!);
  });
}

/** A search query a visitor might type: one or two words from titles, sometimes mistyped. */
export function searchQuery(rng: Rng, lang: Lang = LANGS[rng.int(3)]!): string {
  const phrase = VOCAB[lang][rng.int(VOCAB[lang].length)]!;
  const words = phrase.split(/\s+/).filter((w) => w.length > 2 && !['для', 'and', 'the', 'және', 'мен'].includes(w));
  const start = rng.int(Math.max(1, words.length));
  let q = words.slice(start, start + 1 + rng.int(2)).join(' ') || phrase;
  if (rng.chance(0.35))
    q = q
      .split(' ')
      .map((w, j) => (j === 0 ? typo(w, rng) : w))
      .join(' ');
  if (rng.chance(0.2)) q = capitalize(q);
  return q.toLocaleLowerCase(lang === 'en' ? 'en' : 'ru') === q && rng.chance(0.1) ? q.toLocaleUpperCase('ru') : q;
}
