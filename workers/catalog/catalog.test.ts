import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { categories, courses, enrollments } from '../../db/schema/index.ts';
import { createCourse } from '../../tests/support/catalog.ts';
import { testCtx } from '../../tests/support/ctx.ts';
import { api, show } from '../../tests/support/http.ts';
import { createAdmin, registerUser, testDb, uniqueIp, verifiedTeacher } from '../../tests/support/users.ts';
import { listCourses } from './browse.ts';
import { gens } from './invalidation.ts';
import { renderLesson, videoEmbedUrl } from './markdown.ts';
import { highlight } from './search.ts';
import { Cache } from '../lib/cache.ts';
import { createRedis } from '../lib/redis.ts';

const rnd = () => Math.random().toString(36).slice(2, 10);

/** A Cache on its own Redis client that records the body of every command it sends. */
function recordingCache() {
  const base = testCtx();
  const redis = createRedis(base.config);
  const bodies: unknown[] = [];
  (redis as unknown as { use(m: (req: { body?: unknown }, next: (r: unknown) => Promise<unknown>) => Promise<unknown>): void }).use(
    async (req, next) => {
      bodies.push(req.body);
      return next(req);
    },
  );
  return { redis, bodies, cache: new Cache(redis, base.log) };
}

async function ensureCategory(slug: string) {
  await testDb()
    .db.insert(categories)
    .values({ slug, title: { ru: slug, en: slug } })
    .onConflictDoNothing();
}

describe('authoring — happy', () => {
  it('a verified teacher creates a course with a module and lessons, publishes it, and it is public', async () => {
    const t = await verifiedTeacher();
    const tag = `tag-${rnd()}`;
    const c = await createCourse(t, {
      title: { ru: 'Алгебра 7 класс', en: 'Algebra grade 7' },
      tags: [tag],
      modules: 2,
      lessonsPerModule: 2,
    });
    const detail = await api('GET', `/api/courses/${c.id}?lang=en`);
    expect(detail.status, show(detail)).toBe(200);
    expect(detail.body.title).toBe('Algebra grade 7');
    expect(detail.body.titleLang).toBe('en');
    expect(detail.body.modules).toHaveLength(2);
    expect(detail.body.modules[0].lessons.map((l: { title: string }) => l.title)).toEqual(['Lesson 1.1', 'Lesson 1.2']);
    expect(detail.body.lessonCount).toBe(4);
    expect(detail.body.teacher.id).toBe(t.id);

    const list = await api('GET', `/api/courses?tag=${tag}`);
    expect(list.status, show(list)).toBe(200);
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([c.id]);
  });

  it('falls back to another language and says which', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t, { title: { ru: 'Только по-русски' } });
    const kk = await api('GET', `/api/courses/${c.id}?lang=kk`);
    expect(kk.body.title).toBe('Только по-русски');
    expect(kk.body.titleLang).toBe('ru');
  });

  it('reorders modules and lessons in one request', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t, { modules: 3, lessonsPerModule: 3 });
    const reversed = [...c.moduleIds].reverse();
    const res = await api('PUT', `/api/courses/${c.id}/modules/order`, { token: t.token, body: { ids: reversed } });
    expect(res.status, show(res)).toBe(200);
    const lessonIds = c.lessonIds.slice(0, 3);
    const newOrder = [lessonIds[2], lessonIds[0], lessonIds[1]];
    expect((await api('PUT', `/api/modules/${c.moduleIds[0]}/lessons/order`, { token: t.token, body: { ids: newOrder } })).status).toBe(
      200,
    );
    const detail = await api('GET', `/api/courses/${c.id}`);
    expect(detail.body.modules.map((m: { id: string }) => m.id)).toEqual(reversed);
    const last = detail.body.modules[2];
    expect(last.lessons.map((l: { id: string }) => l.id)).toEqual(newOrder);
  });

  it('admins may edit any course and feature it; teachers may not feature', async () => {
    const t = await verifiedTeacher();
    const admin = await createAdmin();
    const c = await createCourse(t);
    expect((await api('PATCH', `/api/courses/${c.id}`, { token: t.token, body: { featured: true } })).status).toBe(403);
    const res = await api('PATCH', `/api/courses/${c.id}`, {
      token: admin.token,
      body: { featured: true, title: { ru: 'Избранный курс' } },
    });
    expect(res.status, show(res)).toBe(200);
    expect(res.body.featured).toBe(true);
  });
});

describe('authoring — security', () => {
  it('a pending teacher and a learner cannot author (403)', async () => {
    const pending = await registerUser('teacher');
    const learner = await registerUser('learner');
    for (const u of [pending, learner]) {
      const res = await api('POST', '/api/courses', { token: u.token, body: { title: { ru: 'X' }, language: 'ru' } });
      expect(res.status, show(res)).toBe(403);
    }
  });

  it("another teacher cannot see or change someone's course (404); nothing changes", async () => {
    const owner = await verifiedTeacher();
    const other = await verifiedTeacher();
    const c = await createCourse(owner, { publish: false });
    const attempts = [
      api('PATCH', `/api/courses/${c.id}`, { token: other.token, body: { title: { ru: 'Взлом' } } }),
      api('POST', `/api/courses/${c.id}/publish`, { token: other.token }),
      api('DELETE', `/api/courses/${c.id}`, { token: other.token }),
      api('POST', `/api/courses/${c.id}/modules`, { token: other.token, body: { title: { ru: 'M' } } }),
      api('PATCH', `/api/modules/${c.moduleIds[0]}`, { token: other.token, body: { title: { ru: 'M' } } }),
      api('DELETE', `/api/lessons/${c.lessonIds[0]}`, { token: other.token }),
      api('GET', `/api/teacher/courses/${c.id}`, { token: other.token }),
    ];
    for (const res of await Promise.all(attempts)) expect(res.status, show(res)).toBe(404);
    const [row] = await testDb().db.select().from(courses).where(eq(courses.id, c.id));
    expect(row!.title).not.toEqual({ ru: 'Взлом' });
    expect(row!.published).toBe(false);
  });

  it('a course without lessons cannot be published (409)', async () => {
    const t = await verifiedTeacher();
    const created = await api('POST', '/api/courses', { token: t.token, body: { title: { ru: 'Пустой' }, language: 'ru' } });
    const res = await api('POST', `/api/courses/${created.body.id}/publish`, { token: t.token });
    expect(res.status, show(res)).toBe(409);
  });

  it.each([
    ['a missing id', (ids: string[]) => ids.slice(1)],
    ['an extra id', (ids: string[]) => [...ids, crypto.randomUUID()]],
    ['a repeated id', (ids: string[]) => [...ids.slice(1), ids[1]!]],
  ])('reorder with %s → 400, order unchanged', async (_l, mutate) => {
    const t = await verifiedTeacher();
    const c = await createCourse(t, { modules: 3, lessonsPerModule: 1 });
    const res = await api('PUT', `/api/courses/${c.id}/modules/order`, {
      token: t.token,
      body: { ids: mutate([...c.moduleIds].reverse()) },
    });
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.details.fields).toHaveProperty('ids');
    const detail = await api('GET', `/api/courses/${c.id}`);
    expect(detail.body.modules.map((m: { id: string }) => m.id)).toEqual(c.moduleIds);
  });

  it.each([
    ['title without any language', { title: {}, language: 'ru' }, 'title'],
    ['title in an unknown language', { title: { de: 'Kurs' }, language: 'ru' }, 'title'],
    ['negative price', { title: { ru: 'X' }, language: 'ru', price: { amount: -1, currency: 'KZT' } }, 'price.amount'],
    ['unknown category', { title: { ru: 'X' }, language: 'ru', category: 'no-such-category' }, 'category'],
    ['http cover', { title: { ru: 'X' }, language: 'ru', coverUrl: 'http://example.com/a.png' }, 'coverUrl'],
  ])('%s → 400', async (_l, body, field) => {
    const t = await verifiedTeacher();
    const res = await api('POST', '/api/courses', { token: t.token, body });
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.details.fields).toHaveProperty(field);
  });
});

describe('lesson Markdown — XSS', () => {
  it.each([
    ['script tag', '<script>alert(1)</script>hello', /<script/i],
    ['event handler', '<img src="https://x.test/a.png" onerror="alert(1)">', /onerror/i],
    ['javascript: link', '[click](javascript:alert(1))', /javascript:/i],
    ['javascript: in html link', '<a href="javascript:alert(1)">x</a>', /javascript:/i],
    ['data: url image', '<img src="data:text/html;base64,PHNjcmlwdD4=">', /data:/i],
    ['iframe from elsewhere', '<iframe src="https://evil.test/x"></iframe>', /evil\.test/],
    ['svg onload', '<svg onload="alert(1)"><circle/></svg>', /onload|<svg/i],
    ['style tag', '<style>body{display:none}</style>', /<style/i],
    ['encoded javascript', '<a href="jav&#x09;ascript:alert(1)">x</a>', /ascript:/i],
    ['object embed', '<object data="https://evil.test/x.swf"></object>', /<object/i],
  ])('%s is neutralized', (_l, input, forbidden) => {
    const html = renderLesson(input);
    expect(html).not.toMatch(forbidden);
  });

  it('keeps ordinary Markdown and turns allowed video links into privacy-friendly embeds', () => {
    const html = renderLesson(
      '# Заголовок\n\n**жирный** [ссылка](https://example.com)\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\nhttps://vimeo.com/76979871',
    );
    expect(html).toContain('<h1>Заголовок</h1>');
    expect(html).toContain('<strong>жирный</strong>');
    expect(html).toContain('href="https://example.com"');
    expect(html).toContain('src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"');
    expect(html).toContain('src="https://player.vimeo.com/video/76979871?dnt=1"');
    expect(videoEmbedUrl('https://evil.test/watch?v=dQw4w9WgXcQ')).toBeUndefined();
  });

  it('a lesson saved through the API stores the sanitized HTML', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t, { publish: false });
    const res = await api('PATCH', `/api/lessons/${c.lessonIds[0]}`, {
      token: t.token,
      body: { body: { ru: 'Привет <script>alert(1)</script> <b onclick="x()">мир</b>' } },
    });
    expect(res.status, show(res)).toBe(200);
    expect(res.body.bodyHtml.ru).not.toMatch(/script|onclick/);
    expect(res.body.bodyHtml.ru).toContain('<b>мир</b>');
  });
});

describe('public catalog', () => {
  it('paginates with an opaque cursor, stable under concurrent inserts', async () => {
    const t = await verifiedTeacher();
    const tag = `page-${rnd()}`;
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await createCourse(t, { tags: [tag], modules: 1, lessonsPerModule: 1 })).id);
    const p1 = await api('GET', `/api/courses?tag=${tag}&limit=2`);
    expect(p1.body.items).toHaveLength(2);
    // A course published between page loads must not shift the next pages.
    await createCourse(t, { tags: [tag], modules: 1, lessonsPerModule: 1 });
    const p2 = await api('GET', `/api/courses?tag=${tag}&limit=2&cursor=${encodeURIComponent(p1.body.nextCursor)}`);
    const p3 = await api('GET', `/api/courses?tag=${tag}&limit=2&cursor=${encodeURIComponent(p2.body.nextCursor)}`);
    const seen = [...p1.body.items, ...p2.body.items, ...p3.body.items].map((i: { id: string }) => i.id);
    expect(seen).toEqual([...made].reverse());
    expect(p3.body.nextCursor).toBeNull();
  });

  it('filters by category, language, level, price and rating', async () => {
    const t = await verifiedTeacher();
    const slug = `cat-${rnd()}`;
    await ensureCategory(slug);
    const tag = `f-${rnd()}`;
    const free = await createCourse(t, { tags: [tag], category: slug, language: 'kk', level: 'advanced', title: { kk: 'Тегін курс' } });
    const paid = await createCourse(t, { tags: [tag], language: 'en', price: { amount: 500000, currency: 'KZT' } });
    await testDb().db.update(courses).set({ ratingAvg: 4.5, ratingCount: 2, ratingSum: 9 }).where(eq(courses.id, paid.id));
    const ids = async (q: string) => (await api('GET', `/api/courses?tag=${tag}&${q}`)).body.items.map((i: { id: string }) => i.id);
    expect(await ids(`category=${slug}`)).toEqual([free.id]);
    expect(await ids('language=en')).toEqual([paid.id]);
    expect(await ids('level=advanced')).toEqual([free.id]);
    expect(await ids('price=free')).toEqual([free.id]);
    expect(await ids('price=paid')).toEqual([paid.id]);
    expect(await ids('minRating=4')).toEqual([paid.id]);
    const card = (await api('GET', `/api/courses?tag=${tag}&price=paid`)).body.items[0];
    expect(card.price).toEqual({ amount: 500000, currency: 'KZT' });
    expect(card.rating).toEqual({ average: 4.5, count: 2 });
  });

  it.each([
    ['page size over the cap', 'limit=51', 'limit'],
    ['unknown filter', 'colour=red', undefined],
    ['bad price filter', 'price=cheap', 'price'],
    ['tampered cursor', 'cursor=WyIyMDI1Il0.AAAAAAAAAAAAAAAAAAAAAA', 'cursor'],
  ])('%s → 400', async (_l, q, field) => {
    const res = await api('GET', `/api/courses?${q}`);
    expect(res.status, show(res)).toBe(400);
    if (field) expect(res.body.error.details.fields).toHaveProperty(field);
  });

  it('unknown and unpublished courses are 404 to the public', async () => {
    const t = await verifiedTeacher();
    const draft = await createCourse(t, { publish: false });
    expect((await api('GET', `/api/courses/${draft.id}`)).status).toBe(404);
    expect((await api('GET', `/api/courses/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await api('GET', '/api/courses/not-an-id')).status).toBe(404);
    const c = await createCourse(t);
    expect((await api('POST', `/api/courses/${c.id}/unpublish`, { token: t.token })).status).toBe(200);
    expect((await api('GET', `/api/courses/${c.id}`)).status).toBe(404);
  });

  it('lesson content: previews for everyone, the rest for enrolled learners and the author', async () => {
    const t = await verifiedTeacher();
    const c = await createCourse(t, { preview: true, lessonsPerModule: 2 });
    const [previewId, lockedId] = c.lessonIds;
    const anonPreview = await api('GET', `/api/lessons/${previewId}`);
    expect(anonPreview.status, show(anonPreview)).toBe(200);
    expect(anonPreview.body.html).toContain('<h1>');
    expect(anonPreview.body.body).toBeUndefined();
    expect((await api('GET', `/api/lessons/${lockedId}`)).status).toBe(401);
    const learner = await registerUser();
    const notEnrolled = await api('GET', `/api/lessons/${lockedId}`, { token: learner.token });
    expect(notEnrolled.status, show(notEnrolled)).toBe(403);
    const link = 'https://youtu.be/dQw4w9WgXcQ';
    expect((await api('PATCH', `/api/lessons/${lockedId}`, { token: t.token, body: { videoUrl: link } })).status).toBe(200);
    await testDb().db.insert(enrollments).values({ userId: learner.id, courseId: c.id });
    const enrolled = await api('GET', `/api/lessons/${lockedId}`, { token: learner.token });
    expect(enrolled.status).toBe(200);
    expect(enrolled.body.videoEmbedUrl).toBe('https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ');
    expect(enrolled.body.videoUrl).toBeUndefined();
    const author = await api('GET', `/api/lessons/${lockedId}`, { token: t.token });
    expect(author.status).toBe(200);
    expect(author.body.body.ru).toContain('# Урок');
    // The editor shows the link as it was typed, not the embed derived from it.
    expect(author.body.videoUrl).toBe(link);
  });

  it('one list page is a constant number of SQL statements, whatever its size', async () => {
    const t = await verifiedTeacher();
    const tag = `n1-${rnd()}`;
    for (let i = 0; i < 6; i++) await createCourse(t, { tags: [tag], modules: 2, lessonsPerModule: 2 });
    const count = async (limit: number) => {
      let statements = 0;
      const ctx = testCtx({ onQuery: () => statements++ });
      // A new catalog generation: the page is loaded from Postgres, not the cache.
      await ctx.services.cache.bump(gens.catalog);
      const page = await listCourses(ctx, { lang: 'ru', tag, limit });
      return { statements, items: page.items.length };
    };
    const small = await count(1);
    const large = await count(6);
    expect(small.items).toBe(1);
    expect(large.items).toBe(6);
    expect(large.statements).toBe(small.statements);
    expect(large.statements).toBe(1);
  });
});

describe('search', () => {
  it('finds Russian titles despite a typo and highlights the match', async () => {
    const t = await verifiedTeacher();
    const uniq = rnd();
    const c = await createCourse(t, { title: { ru: `Математика для начинающих ${uniq}` }, tags: [uniq] });
    const res = await api('GET', `/api/search?q=${encodeURIComponent('матемтика')}&tag=${uniq}`);
    expect(res.status, show(res)).toBe(200);
    expect(res.body.items.map((i: { id: string }) => i.id)).toContain(c.id);
    expect(res.body.items[0].highlight).toContain('<mark>Математика</mark>');
  });

  it('folds Kazakh letters: "казак тили" finds "Қазақ тілі"', async () => {
    const t = await verifiedTeacher();
    const uniq = rnd();
    const c = await createCourse(t, { title: { kk: `Қазақ тілі ${uniq}` }, language: 'kk', tags: [uniq] });
    for (const q of ['казак тили', 'қазақ тілі', 'Қазақ']) {
      const res = await api('GET', `/api/search?q=${encodeURIComponent(q)}&tag=${uniq}&lang=kk`);
      expect(
        res.body.items.map((i: { id: string }) => i.id),
        q,
      ).toContain(c.id);
    }
  });

  it('stems English and Russian words', async () => {
    const t = await verifiedTeacher();
    const uniq = rnd();
    const en = await createCourse(t, { title: { en: `Programming basics ${uniq}` }, language: 'en', tags: [uniq] });
    const ru = await createCourse(t, { title: { ru: `Основы программирования ${uniq}` }, tags: [uniq] });
    const a = await api('GET', `/api/search?q=programs&tag=${uniq}`);
    expect(a.body.items.map((i: { id: string }) => i.id)).toContain(en.id);
    const b = await api('GET', `/api/search?q=${encodeURIComponent('программирование')}&tag=${uniq}`);
    expect(b.body.items.map((i: { id: string }) => i.id)).toContain(ru.id);
  });

  it('does not return unpublished courses', async () => {
    const t = await verifiedTeacher();
    const uniq = rnd();
    await createCourse(t, { title: { ru: `Секретный черновик ${uniq}` }, tags: [uniq], publish: false });
    const res = await api('GET', `/api/search?q=${encodeURIComponent('секретный черновик')}&tag=${uniq}`);
    expect(res.body.items).toHaveLength(0);
  });

  it.each([
    ['a query over 200 characters', `q=${'a'.repeat(201)}`],
    ['an empty query', 'q=%20'],
    ['a tampered cursor', 'q=math&cursor=bad.cursor'],
  ])('%s → 400', async (_l, q) => {
    const res = await api('GET', `/api/search?${q}`);
    expect(res.status, show(res)).toBe(400);
  });

  it('highlight escapes HTML in titles', () => {
    expect(highlight('<b>Math</b> & more', 'math')).toBe('&lt;b&gt;<mark>Math</mark>&lt;/b&gt; &amp; more');
  });
});

describe('caching', () => {
  it('a read after a write never returns the old data (detail, list, search)', async () => {
    const t = await verifiedTeacher();
    const uniq = rnd();
    const c = await createCourse(t, { title: { ru: `Старое название ${uniq}` }, tags: [uniq] });
    // Warm every cache layer.
    for (let i = 0; i < 2; i++) {
      await api('GET', `/api/courses/${c.id}`);
      await api('GET', `/api/courses?tag=${uniq}`);
      await api('GET', `/api/search?q=${encodeURIComponent('старое название')}&tag=${uniq}`);
    }
    expect((await api('GET', `/api/courses/${c.id}`)).headers.get('x-edge-cache')).toBe('HIT');
    const upd = await api('PATCH', `/api/courses/${c.id}`, { token: t.token, body: { title: { ru: `Новое название ${uniq}` } } });
    expect(upd.status, show(upd)).toBe(200);
    expect((await api('GET', `/api/courses/${c.id}`)).body.title).toBe(`Новое название ${uniq}`);
    expect((await api('GET', `/api/courses?tag=${uniq}`)).body.items[0].title).toBe(`Новое название ${uniq}`);
    const s = await api('GET', `/api/search?q=${encodeURIComponent('новое название')}&tag=${uniq}`);
    expect(s.body.items.map((i: { id: string }) => i.id)).toEqual([c.id]);
    // Adding a lesson changes the curriculum immediately too.
    await api('POST', `/api/modules/${c.moduleIds[0]}/lessons`, { token: t.token, body: { title: { ru: 'Новый урок' } } });
    expect((await api('GET', `/api/courses/${c.id}/curriculum`)).body.modules[0].lessons.at(-1).title).toBe('Новый урок');
  });

  it('a cold key under a burst is loaded once (single flight)', async () => {
    const ctx = testCtx();
    const key = `stampede:${rnd()}`;
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 100));
      return { value: 42 };
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => ctx.services.cache.getOrLoad({ family: 'test', key, gens: [], ttlSec: 30, load })),
    );
    expect(results.every((r) => r.value === 42)).toBe(true);
    expect(loads).toBe(1);
  });

  it('past its TTL an entry is served stale at once and refreshed once, in the background', async () => {
    const base = testCtx();
    let now = Date.now();
    const deferred: Promise<unknown>[] = [];
    const cache = new Cache(base.services.redis, base.log, { now: () => now, defer: (p) => void deferred.push(p) });
    const key = `swr:${rnd()}`;
    let version = 0;
    const load = async () => ({ version: ++version });
    const read = () => cache.getOrLoad({ family: 'test', key, gens: [], ttlSec: 30, load });
    expect(await read()).toEqual({ version: 1 });
    expect(await read()).toEqual({ version: 1 });
    expect(deferred).toHaveLength(0);
    now += 31_000;
    const stale = await Promise.all(Array.from({ length: 5 }, read));
    expect(stale.map((v) => v.version)).toEqual([1, 1, 1, 1, 1]);
    expect(deferred).toHaveLength(1);
    await Promise.all(deferred);
    expect(version).toBe(2);
    expect(await read()).toEqual({ version: 2 });
    expect(deferred).toHaveLength(1);
  });

  it('a cache hit is one Redis round trip, generations included', async () => {
    const { bodies, cache } = recordingCache();
    const opts = {
      family: 'test',
      key: `rt:${rnd()}`,
      gens: [`gen:test:${rnd()}`, `gen:test:${rnd()}`],
      ttlSec: 30,
      load: async () => ({ ok: true }),
    };
    await cache.getOrLoad(opts);
    bodies.length = 0;
    expect(await cache.getOrLoad(opts)).toEqual({ ok: true });
    expect(bodies).toHaveLength(1);
  });

  it('a miss is the read and one fill that stores the value and releases the fill lock together', async () => {
    const { redis, bodies, cache } = recordingCache();
    const key = `fill:${rnd()}`;
    expect(await cache.getOrLoad({ family: 'test', key, gens: [], ttlSec: 30, load: async () => ({ n: 1 }) })).toEqual({ n: 1 });
    // The read script (which took the lock) and the fill: two round trips, no pipeline.
    expect(bodies).toHaveLength(2);
    expect(bodies.every((b) => Array.isArray(b) && typeof b[0] === 'string' && /^eval/i.test(b[0]))).toBe(true);
    // The lock is gone at once (not after its 3 s expiry) and the entry is stored with its TTL.
    const full = `c2:${key}@`;
    expect(await redis.exists(`lock:${full}`)).toBe(0);
    expect(await redis.get<string>(full)).toMatch(/^\d+\|\{"n":1\}$/);
    const ttl = await redis.ttl(full);
    expect(ttl).toBeGreaterThan(300);
    expect(ttl).toBeLessThanOrEqual(330);
  });

  it('cached values come back exactly over the plain (not base64) encoding: any script, quotes, escapes, emoji', async () => {
    const base = testCtx();
    const cache = new Cache(createRedis(base.config), base.log);
    const value = { title: 'Қазақ тілі — Русский язык "кавычки" \\ \n\t', emoji: '🎓👩‍🏫', nested: [{ a: 'ü', b: null, c: 1.5 }] };
    const opts = { family: 'test', key: `enc:${rnd()}`, gens: [], ttlSec: 30, load: async () => value };
    await cache.getOrLoad(opts);
    let loaded = false;
    expect(
      await cache.getOrLoad({
        ...opts,
        load: async () => {
          loaded = true;
          return value;
        },
      }),
    ).toEqual(value);
    expect(loaded).toBe(false);
  });

  it('answers with ETag and 304 when nothing changed', async () => {
    const t = await verifiedTeacher();
    const uniq = rnd();
    await createCourse(t, { tags: [uniq] });
    const first = await api('GET', `/api/courses?tag=${uniq}`);
    const tagValue = first.headers.get('etag');
    expect(tagValue).toBeTruthy();
    expect(first.headers.get('cache-control')).toContain('max-age=0');
    expect(first.headers.get('cdn-cache-control')).toContain('stale-while-revalidate');
    const second = await api('GET', `/api/courses?tag=${uniq}`, { headers: { 'if-none-match': tagValue! } });
    expect(second.status).toBe(304);
  });
});

describe('rate limits', () => {
  it('search answers 429 with Retry-After and RateLimit headers past its burst', async () => {
    const ip = uniqueIp();
    let last: Awaited<ReturnType<typeof api<any>>> | undefined;
    let limited = 0;
    for (let i = 0; i < 50; i++) {
      last = await api('GET', `/api/search?q=rate${i}`, { headers: { 'cf-connecting-ip': ip } });
      if (last.status === 429) limited++;
      else expect(last.headers.get('ratelimit-limit')).toBe('45');
    }
    expect(limited).toBeGreaterThan(0);
    expect(last!.status).toBe(429);
    expect(last!.body.error.code).toBe('rate_limited');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client is unaffected.
    expect((await api('GET', '/api/search?q=rate', { headers: { 'cf-connecting-ip': uniqueIp() } })).status).toBe(200);
  });

  it('a cached list or search answer is one Redis round trip, its rate-limit decision included, on the library’s bucket', async () => {
    const { vars } = await import('../../tests/support/users.ts');
    /** Redis commands this isolate has sent (every op, ok or not), from its own metrics. */
    const redisCalls = async () => {
      const text = String((await api('GET', '/api/metrics', { token: vars.METRICS_TOKEN })).body);
      return [...text.matchAll(/^sabaq_redis_command_duration_seconds_count\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    };
    const ip = uniqueIp();
    const uniq = rnd();
    for (const path of [`/api/courses?tag=${uniq}`, `/api/search?q=${uniq}`]) {
      const first = await api('GET', path, { headers: { 'cf-connecting-ip': ip } });
      expect(first.status, show(first)).toBe(200);
      const before = await redisCalls();
      const cached = await api('GET', path, { headers: { 'cf-connecting-ip': ip } });
      expect(cached.status, show(cached)).toBe(200);
      expect((await redisCalls()) - before).toBe(1);
      // Both requests were counted: the headers follow the bucket down.
      const limit = Number(cached.headers.get('ratelimit-limit'));
      expect(Number(cached.headers.get('ratelimit-remaining'))).toBe(limit - 2);
    }
    // The library, asked about the same client, sees the same bucket (one token fewer after its own hit).
    const ctx = testCtx();
    const { hit } = await import('../lib/ratelimit.ts');
    const d = await hit(ctx.services.redis, 'search', `ip:${ip}`);
    expect(d.allowed).toBe(true);
    expect(d.remaining).toBe(45 - 3);
    // A request refused before any read (empty query) is still counted.
    expect((await api('GET', '/api/search?q=%20', { headers: { 'cf-connecting-ip': ip } })).status).toBe(400);
    expect((await hit(ctx.services.redis, 'search', `ip:${ip}`)).remaining).toBe(45 - 5);
  });
});

describe('cache warm-up', () => {
  it('needs the ops token, then loads the first pages into the cache', async () => {
    const { vars } = await import('../../tests/support/users.ts');
    expect((await api('POST', '/api/ops/warm')).status).toBe(401);
    expect((await api('POST', '/api/ops/warm', { token: 'wrong-token-wrong-token' })).status).toBe(401);
    const res = await api('POST', '/api/ops/warm', { token: vars.METRICS_TOKEN });
    expect(res.status, show(res)).toBe(200);
    expect(res.body.keys).toBeGreaterThanOrEqual(9);
  });
});
