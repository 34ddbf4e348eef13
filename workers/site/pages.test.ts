import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { categories, courses } from '../../db/schema/index.ts';
import { publishedTest, quizDoc } from '../../tests/support/assessments.ts';
import { createCourse } from '../../tests/support/catalog.ts';
import { testCtx } from '../../tests/support/ctx.ts';
import { api, show, type ApiResponse } from '../../tests/support/http.ts';
import { PASSWORD, createAdmin, registerUser, testDb, verifiedTeacher } from '../../tests/support/users.ts';
import { gens } from '../catalog/invalidation.ts';
import { SITEMAP_COURSES_PER_FILE, sitemapCourses, sitemapFiles } from '../catalog/sitemap.ts';
import { preferredLang } from './pages.ts';

const rnd = () => Math.random().toString(36).slice(2, 10);
const page = (path: string, headers: Record<string, string> = {}) => api('GET', path, { headers });
const cookieOf = (token: string) => ({ cookie: `__Host-sabaq_at=${token}; sabaq_lang=ru` });

/** The JSON-LD block of a page, parsed. */
function jsonLdOf(res: ApiResponse): Record<string, any> {
  const m = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(res.text);
  if (!m) throw new Error(`no JSON-LD in ${show(res)}`);
  return JSON.parse(m[1]!);
}

describe('course page rendered at the edge — happy', () => {
  it('carries the course in the HTML: title, description, curriculum, teacher, price, JSON-LD, hreflang, canonical, OG', async () => {
    const t = await verifiedTeacher();
    const uniq = rnd();
    const c = await createCourse(t, {
      title: { ru: `Алгебра ${uniq}`, en: `Algebra ${uniq}` },
      description: { ru: 'Уравнения и <функции> для 7 класса', en: 'Equations & "functions" for grade 7' },
      price: { amount: 499000, currency: 'KZT' },
      modules: 2,
      lessonsPerModule: 2,
      preview: true,
    });
    await testDb().db.update(courses).set({ ratingSum: 9, ratingCount: 2, ratingAvg: 4.5 }).where(eq(courses.id, c.id));

    const en = await page(`/en/courses/${c.id}`);
    expect(en.status, show(en)).toBe(200);
    expect(en.headers.get('content-type')).toContain('text/html');
    expect(en.text).toContain(`<title>Algebra ${uniq} — Sabaq</title>`);
    expect(en.text).toMatch(/<meta name="description" content="Equations &(amp;)? (&quot;|&#34;)functions(&quot;|&#34;) for grade 7">/);
    expect(en.text).not.toContain('noindex');
    expect(en.text).toContain(`<h1 id="course-title">Algebra ${uniq}</h1>`);
    expect(en.text).toMatch(/>Equations &amp; ("|&quot;)functions("|&quot;) for grade 7<\/p>/);
    expect(en.text).toContain('Lesson 1.1</a> <span class="tag">Free preview</span>');
    expect(en.text).toContain('Lesson 2.2</a>');
    expect(en.text).toContain('4.5 out of 5 · 2 ratings');
    expect(en.text).toMatch(/KZT|₸/);
    expect(en.text).toContain(`<link rel="canonical" href="http://sabaq.test/en/courses/${c.id}">`);
    for (const l of ['ru', 'kk', 'en'])
      expect(en.text).toContain(`<link rel="alternate" hreflang="${l}" href="http://sabaq.test/${l}/courses/${c.id}">`);
    expect(en.text).toContain(`<link rel="alternate" hreflang="x-default" href="http://sabaq.test/ru/courses/${c.id}">`);
    expect(en.text).toContain(`<meta property="og:title" content="Algebra ${uniq}">`);
    expect(en.text).toContain(`<meta property="og:image" content="http://sabaq.test/en/courses/${c.id}/cover.svg">`);
    expect(en.text).toContain('<meta name="twitter:card" content="summary_large_image">');
    // The language switcher points at this course, not at the shell.
    expect(en.text).toContain(`href="/kk/courses/${c.id}"`);
    expect(en.text).not.toContain('/courses/_"');
    // The content region is visible without scripts; the islands' script is still loaded.
    expect(en.text).toMatch(/<div id="course"[^>]*data-prerendered/);
    expect(en.text).toMatch(/<script type="module" src="\/_astro\/page-courses-shell\.[\w-]+\.js"><\/script>/);

    const ld = jsonLdOf(en);
    expect(ld).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'Course',
      name: `Algebra ${uniq}`,
      description: 'Equations & "functions" for grade 7',
      url: `http://sabaq.test/en/courses/${c.id}`,
      provider: { '@type': 'Organization', name: 'Sabaq' },
      aggregateRating: { '@type': 'AggregateRating', ratingValue: 4.5, ratingCount: 2 },
      offers: { '@type': 'Offer', price: 4990, priceCurrency: 'KZT' },
    });

    // Russian: the page's own language everywhere, `<` of the description escaped.
    const ru = await page(`/ru/courses/${c.id}`);
    expect(ru.text).toContain(`<title>Алгебра ${uniq} — Sabaq</title>`);
    expect(ru.text).toContain('Уравнения и &lt;функции&gt; для 7 класса');
    expect(ru.text).toContain('<html lang="ru"');

    const cover = await page(`/en/courses/${c.id}/cover.svg`);
    expect(cover.status).toBe(200);
    expect(cover.headers.get('content-type')).toContain('image/svg+xml');
    expect(cover.text).toContain(`Algebra ${uniq}`);
  });

  it('a free course has no Offer; a course in another language says so and marks the text', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t, { title: { ru: `Только по-русски ${rnd()}` }, description: { ru: 'Описание' } });
    const kk = await page(`/kk/courses/${c.id}`);
    expect(kk.status, show(kk)).toBe(200);
    const ld = jsonLdOf(kk);
    expect(ld.offers).toBeUndefined();
    expect(ld.isAccessibleForFree).toBe(true);
    expect(ld.aggregateRating).toBeUndefined();
    expect(kk.text).toMatch(/<h1 id="course-title" lang="ru">Только по-русски/);
    expect(kk.text).toMatch(/<p class="state" id="course-fallback">[^<]+<\/p>/);
  });

  it('is cached at the edge with s-maxage + stale-while-revalidate, and a write is visible on the next request', async () => {
    const t = await verifiedTeacher();
    const uniq = rnd();
    const c = await createCourse(t, { title: { ru: `Старое ${uniq}` } });
    const first = await page(`/ru/courses/${c.id}`);
    expect(first.headers.get('x-edge-cache')).toBe('MISS');
    expect(first.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=300, stale-while-revalidate=3600');
    const second = await page(`/ru/courses/${c.id}?utm_source=x`);
    expect(second.headers.get('x-edge-cache'), 'one copy per page, whatever the query').toBe('HIT');
    expect(second.text).toContain(`Старое ${uniq}`);

    const upd = await api('PATCH', `/api/courses/${c.id}`, { token: t.token, body: { title: { ru: `Новое ${uniq}` } } });
    expect(upd.status, show(upd)).toBe(200);
    const after = await page(`/ru/courses/${c.id}`);
    expect(after.text).toContain(`<h1 id="course-title">Новое ${uniq}</h1>`);
    expect(after.text).not.toContain(`Старое ${uniq}`);

    // A curriculum change (not listed anywhere else) purges the page too.
    await api('POST', `/api/modules/${c.moduleIds[0]}/lessons`, { token: t.token, body: { title: { ru: `Урок ${uniq}` } } });
    expect((await page(`/ru/courses/${c.id}`)).text).toContain(`Урок ${uniq}</a>`);

    // Unpublishing takes the page down at once: 410 Gone (it was public), with a page that says so.
    await api('POST', `/api/courses/${c.id}/unpublish`, { token: t.token });
    const gone = await page(`/ru/courses/${c.id}`);
    expect(gone.status, show(gone)).toBe(410);
    expect(gone.text).toContain('Курс больше не доступен');
    expect(gone.text).toContain('<meta name="robots" content="noindex">');
    expect(gone.headers.get('cache-control')).toBe('no-store');
  });
});

describe('course page — bad input', () => {
  it.each([
    ['malformed id', '/kk/courses/not-an-id', 'kk'],
    ['the shell placeholder', '/en/courses/_', 'en'],
    ['unknown id', `/ru/courses/${crypto.randomUUID()}`, 'ru'],
    ['unknown sub-page', `/en/courses/${crypto.randomUUID()}/nope`, 'en'],
  ])('%s → the 404 page in the language, noindex, status 404', async (_label, path, lang) => {
    const res = await page(path);
    expect(res.status, show(res)).toBe(404);
    expect(res.text).toContain(`<html lang="${lang}"`);
    expect(res.text).toContain('<meta name="robots" content="noindex">');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('a course that was public once answers 410 Gone when unpublished or deleted; a never-published one stays 404', async () => {
    const t = await verifiedTeacher();
    const once = await createCourse(t, { title: { en: `Once ${rnd()}` } });
    const del = await api('DELETE', `/api/courses/${once.id}`, { token: t.token });
    expect(del.status, show(del)).toBe(204);
    const gone = await page(`/en/courses/${once.id}`);
    expect(gone.status, show(gone)).toBe(410);
    expect(gone.text).toContain('This course is no longer available');
    expect(gone.text).toContain('<html lang="en"');
    expect(gone.text).toContain('<meta name="robots" content="noindex">');
    const draft = await createCourse(t, { publish: false });
    expect((await api('DELETE', `/api/courses/${draft.id}`, { token: t.token })).status).toBe(204);
    expect((await page(`/en/courses/${draft.id}`)).status).toBe(404);
    // Unpublished after publication: 410 to visitors, still the private shell to its author.
    const pulled = await createCourse(t, {});
    await api('POST', `/api/courses/${pulled.id}/unpublish`, { token: t.token });
    expect((await page(`/kk/courses/${pulled.id}`)).status).toBe(410);
    expect((await page(`/kk/courses/${pulled.id}`, cookieOf(t.token))).status).toBe(200);
  });

  it("a teacher's published courses answer 410 Gone after the teacher deletes their account; drafts 404", async () => {
    const t = await verifiedTeacher();
    const published = await createCourse(t, { title: { en: `Leaving ${rnd()}` } });
    const draft = await createCourse(t, { publish: false });
    expect((await page(`/en/courses/${published.id}`)).status).toBe(200);
    const del = await api('DELETE', '/api/me', { token: t.token, body: { password: PASSWORD } });
    expect(del.status, show(del)).toBe(204);
    const gone = await page(`/en/courses/${published.id}`);
    expect(gone.status, show(gone)).toBe(410);
    expect(gone.text).toContain('This course is no longer available');
    expect((await page(`/en/courses/${draft.id}`)).status).toBe(404);
  });

  it('an unpublished course is 404 to visitors and other users, the shell (private) to its author and admins', async () => {
    const t = await verifiedTeacher();
    const other = await registerUser();
    const admin = await createAdmin();
    const c = await createCourse(t, { title: { ru: `Черновик ${rnd()}` }, publish: false });
    const anon = await page(`/ru/courses/${c.id}`);
    expect(anon.status).toBe(404);
    expect((await page(`/ru/courses/${c.id}`, cookieOf(other.token))).status).toBe(404);
    for (const who of [t, admin]) {
      const mine = await page(`/ru/courses/${c.id}`, cookieOf(who.token));
      expect(mine.status, show(mine)).toBe(200);
      expect(mine.headers.get('cache-control')).toBe('private, no-store');
      expect(mine.text).toContain('<meta name="robots" content="noindex">');
      expect(mine.text).not.toContain('Черновик');
    }
    // The author's answer was not kept for anyone else.
    expect((await page(`/ru/courses/${c.id}`)).status).toBe(404);
  });

  it.each([
    ['de, kk;q=0.8, en;q=0.5', '/kk/courses/abc'],
    ['en-US,en;q=0.9', '/en/courses/abc'],
    ['fr', '/ru/courses/abc'],
    ['', '/ru/courses/abc'],
  ])('a language outside ru/kk/en redirects by Accept-Language (%s)', async (accept, location) => {
    const res = await page('/de/courses/abc', accept ? { 'accept-language': accept } : {});
    expect(res.status, show(res)).toBe(302);
    expect(res.headers.get('location')).toBe(location);
    expect(res.headers.get('vary')).toContain('Accept-Language');
  });

  it('picks the language by q, then order', () => {
    expect(preferredLang('en;q=0.4, kk;q=0.9, ru;q=0.5')).toBe('kk');
    expect(preferredLang('ru-RU, en')).toBe('ru');
    expect(preferredLang('kk;q=0, en;q=0.1')).toBe('en');
    expect(preferredLang(undefined)).toBe('ru');
  });
});

describe('course page — security: nothing personal is shared', () => {
  it('a page requested while logged in has no user data and is never stored for others', async () => {
    const t = await verifiedTeacher();
    const learner = await registerUser();
    const c = await createCourse(t, { title: { ru: `Публичный ${rnd()}` } });
    const enroll = await api('POST', `/api/courses/${c.id}/enrollment`, { token: learner.token });
    expect(enroll.status, show(enroll)).toBeLessThan(300);

    const mine = await page(`/ru/courses/${c.id}`, cookieOf(learner.token));
    expect(mine.status, show(mine)).toBe(200);
    expect(mine.headers.get('x-edge-cache')).toBe('BYPASS');
    expect(mine.text).not.toContain(learner.email);
    expect(mine.text).not.toContain(learner.id);
    expect(mine.headers.get('set-cookie')).toBeNull();
    // Had the logged-in render been stored, this would be a HIT.
    const anon = await page(`/ru/courses/${c.id}`);
    expect(anon.headers.get('x-edge-cache')).toBe('MISS');
    expect((await page(`/ru/courses/${c.id}`)).headers.get('x-edge-cache')).toBe('HIT');
    // The shared copy is the same for the logged-in visitor as for everyone (no per-user variant).
    const again = await page(`/ru/courses/${c.id}`, cookieOf(learner.token));
    expect(again.headers.get('x-edge-cache')).toBe('HIT');
    expect(again.text).toBe(anon.text);
  });

  it.each([
    '/ru/learn',
    '/kk/studio',
    '/en/admin',
    '/ru/account',
    `/ru/lessons/${crypto.randomUUID()}`,
    `/ru/attempts/${crypto.randomUUID()}`,
    `/ru/results/${crypto.randomUUID()}`,
  ])('private page %s stays the static shell: noindex, not rendered, not stored', async (path) => {
    const u = await registerUser();
    const res = await page(path, cookieOf(u.token));
    expect(res.status, show(res)).toBe(200);
    expect(res.text).toContain('<meta name="robots" content="noindex">');
    expect(res.text).not.toContain(u.email);
    expect(res.headers.get('x-edge-cache')).toBeNull();
    expect(res.headers.get('cache-control') ?? '').not.toContain('s-maxage');
  });
});

describe('robots.txt and sitemap', () => {
  async function sitemapIds(): Promise<string[]> {
    const index = await page('/sitemap.xml');
    expect(index.status, show(index)).toBe(200);
    expect(index.headers.get('content-type')).toContain('application/xml');
    const files = [...index.text.matchAll(/<loc>http:\/\/sabaq\.test(\/sitemaps\/courses-[^<]+)<\/loc>/g)].map((m) => m[1]!);
    expect(files.length).toBeGreaterThan(0);
    const ids: string[] = [];
    for (const f of files) {
      const file = await page(f);
      expect(file.status, show(file)).toBe(200);
      const urls = [...file.text.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);
      expect(urls.length).toBeLessThanOrEqual(50_000);
      for (const u of urls) {
        const m = /^http:\/\/sabaq\.test\/(ru|kk|en)\/courses\/([0-9a-f-]{36})$/.exec(u);
        expect(m, u).not.toBeNull();
        if (m![1] === 'ru') ids.push(m![2]!);
      }
      // Every course once per language.
      expect(urls.length).toBe(3 * urls.filter((u) => u.includes('/ru/')).length);
    }
    return ids;
  }

  it('lists every published course in each language and nothing else', async () => {
    const t = await verifiedTeacher();
    const published = await createCourse(t, { modules: 1, lessonsPerModule: 1 });
    const draft = await createCourse(t, { modules: 1, lessonsPerModule: 1, publish: false });
    const unpublished = await createCourse(t, { modules: 1, lessonsPerModule: 1 });
    await api('POST', `/api/courses/${unpublished.id}/unpublish`, { token: t.token });
    const deleted = await createCourse(t, { modules: 1, lessonsPerModule: 1 });
    expect((await api('DELETE', `/api/courses/${deleted.id}`, { token: t.token })).status).toBe(204);

    const ids = await sitemapIds();
    expect(new Set(ids).size, 'no course twice').toBe(ids.length);
    expect(ids).toContain(published.id);
    for (const gone of [draft.id, unpublished.id, deleted.id]) expect(ids).not.toContain(gone);
    // Exactly the published ones: every listed id is published in Postgres…
    const rows = await testDb().db.select({ id: courses.id, published: courses.published }).from(courses).where(inArray(courses.id, ids));
    expect(rows.filter((r) => r.published).length).toBe(ids.length);
    // …and every course published before the read is listed.
    const all = await testDb().db.select({ id: courses.id, createdAt: courses.createdAt }).from(courses).where(eq(courses.published, true));
    const listed = new Set(ids);
    const before = all.filter((r) => new Date(r.createdAt) < new Date(Date.now() - 60_000) || r.id === published.id);
    expect(before.filter((r) => !listed.has(r.id))).toEqual([]);
  });

  it('splits into files by a keyset cursor, each at most the file size, covering every course once', async () => {
    const ctx = testCtx();
    const perFile = 3;
    const { after } = await sitemapFiles(ctx, perFile);
    expect(after[0]).toBe('');
    const seen: string[] = [];
    for (const a of after) {
      const rows = await sitemapCourses(ctx, a, perFile);
      expect(rows.length).toBeLessThanOrEqual(perFile);
      seen.push(...rows.map((r) => r.id));
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(seen);
    expect(SITEMAP_COURSES_PER_FILE * 3).toBeLessThanOrEqual(50_000);
  });

  it('robots.txt points at the sitemap and keeps private pages out', async () => {
    const res = await page('/robots.txt');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Sitemap: http://sabaq.test/sitemap.xml');
    expect(res.text).toContain('Disallow: /api/');
    expect(res.text).toContain('Disallow: /ru/learn');
  });
});

describe('public tests page rendered at the edge', () => {
  it('lists published tests in the HTML (title, facts, description) per kind, cached, and a new publication shows on the next request', async () => {
    const uniq = rnd();
    await publishedTest(quizDoc({ title: { en: `Fractions ${uniq}` }, description: { en: `Halves and thirds ${uniq}` } }));
    const res = await page('/en/tests?kind=quiz');
    expect(res.status, show(res)).toBe(200);
    expect(res.headers.get('x-edge-cache')).toBe('MISS');
    expect(res.text).toContain(`<h3 class="tests-list__title">Fractions ${uniq}</h3>`);
    expect(res.text).toContain(`<p class="tests-list__description">Halves and thirds ${uniq}</p>`);
    expect(res.text).toMatch(/<p class="muted">Quiz · \d+ questions? · /);
    expect(res.text).toMatch(/<div id="tests-results" data-prerendered/);
    expect(res.text).toContain('<title>Quiz — Tests and assessments — Sabaq</title>');
    expect(res.text).toContain('<link rel="canonical" href="http://sabaq.test/en/tests?kind=quiz">');
    expect(res.text).toContain('<link rel="alternate" hreflang="ru" href="http://sabaq.test/ru/tests?kind=quiz">');
    expect(res.text).toContain('<option value="quiz" selected');
    expect((await page('/en/tests?kind=quiz')).headers.get('x-edge-cache')).toBe('HIT');
    // Publishing purges the rendered tests pages: the next request has the new test.
    const next = rnd();
    await publishedTest(quizDoc({ title: { en: `Decimals ${next}` } }));
    const after = await page('/en/tests?kind=quiz');
    expect(after.headers.get('x-edge-cache')).toBe('MISS');
    expect(after.text).toContain(`Decimals ${next}`);
    // Assessments are another page; an unknown kind is left to the static page (the API names the error).
    expect((await page('/en/tests?kind=assessment')).text).not.toContain(`Fractions ${uniq}`);
    const odd = await page('/en/tests?kind=nope');
    expect([odd.status, odd.headers.get('x-edge-cache')]).toEqual([200, null]);
  });
});

describe('home and catalog rendered at the edge', () => {
  it('the catalog for a category has its courses in the HTML, cached per filter, with canonical and hreflang', async () => {
    const slug = `cat-${rnd()}`;
    await testDb()
      .db.insert(categories)
      .values({ slug, title: { ru: `Категория ${slug}`, en: `Category ${slug}` } })
      .onConflictDoNothing();
    // Categories have no write API yet (seeded): say it changed, as an admin write would.
    await testCtx().services.cache.bump(gens.categories);
    const t = await verifiedTeacher();
    const uniq = rnd();
    await createCourse(t, { title: { en: `Geometry ${uniq}` }, language: 'en', category: slug, description: { en: 'Triangles' } });
    const res = await page(`/en/courses?utm_source=x&category=${slug}`);
    expect(res.status, show(res)).toBe(200);
    expect(res.headers.get('x-edge-cache')).toBe('MISS');
    expect(res.text).toContain(`class="card__link">Geometry ${uniq}</a></h3>`);
    expect(res.text).toContain('<p class="course-card__teacher">Teacher: Test teacher</p>');
    expect(res.text).toContain(`<title>Category ${slug} — Course catalog — Sabaq</title>`);
    expect(res.text).toContain(`<h1>Category ${slug} — Course catalog</h1>`);
    expect(res.text).toMatch(/<div id="catalog-results" data-prerendered/);
    expect(res.text).toContain(`<link rel="canonical" href="http://sabaq.test/en/courses?category=${slug}">`);
    expect(res.text).toContain(`<link rel="alternate" hreflang="kk" href="http://sabaq.test/kk/courses?category=${slug}">`);
    expect(res.text).toContain(`href="/ru/courses?category=${slug}"`);
    expect((await page(`/en/courses?category=${slug}`)).headers.get('x-edge-cache')).toBe('HIT');
    // Another filter is another page.
    expect((await page(`/en/courses?category=${slug}&level=advanced`)).text).not.toContain(`Geometry ${uniq}`);
  });

  it('an invalid filter is not rendered (the static page shows the API error)', async () => {
    const res = await page('/en/courses?level=expert');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('data-prerendered');
    expect(res.headers.get('x-edge-cache')).toBeNull();
  });

  it('publishing a course purges the home page and the unfiltered catalog', async () => {
    await page('/kk/courses');
    expect((await page('/kk/courses')).headers.get('x-edge-cache')).toBe('HIT');
    const home = await page('/kk/');
    expect(home.status).toBe(200);
    expect(home.text).toMatch(/<div id="featured" data-prerendered/);
    expect(home.text).toContain('<link rel="canonical" href="http://sabaq.test/kk/">');
    const t = await verifiedTeacher();
    const uniq = rnd();
    await createCourse(t, { title: { kk: `Жаңа курс ${uniq}` }, language: 'kk' });
    const after = await page('/kk/courses');
    expect(after.headers.get('x-edge-cache')).toBe('MISS');
    expect(after.text).toContain(`Жаңа курс ${uniq}`);
    expect((await page('/kk/')).headers.get('x-edge-cache')).toBe('MISS');
  });
});
