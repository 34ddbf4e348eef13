import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { courses } from '../../db/schema/index.ts';
import { createTest, publish, publishedTest, quizDoc } from '../../tests/support/assessments.ts';
import { createCourse } from '../../tests/support/catalog.ts';
import { api, show, type ApiResponse } from '../../tests/support/http.ts';
import { refreshPopularity } from './popularity.ts';
import { COUNT_CAP, distinctAlternatives, RANK_CAP, titleOnly } from './search.ts';
import { testDb, uniqueIp, verifiedTeacher } from '../../tests/support/users.ts';

/** A word of letters only, unique to the test: full-text search treats it as a word. */
const word = () => Array.from({ length: 10 }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(Math.random() * 26)]).join('');
const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((i) => i.id);
/**
 * An anonymous read from an address of its own: anonymous search is limited per address, and
 * every test file of the suite would otherwise share one ('unknown') and its 45-request burst.
 */
const get = (path: string) => api('GET', path, { headers: { 'cf-connecting-ip': uniqueIp() } });

async function allPages(path: string, limit = 1): Promise<{ id: string; kind: string }[]> {
  const out: { id: string; kind: string }[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const res: ApiResponse<{ items: { id: string; kind: string }[]; nextCursor: string | null }> = await get(
      `${path}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(res.status, show(res)).toBe(200);
    out.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('more than 20 pages');
}

describe('search finds tests', () => {
  it('a word of a published test title finds the test with its kind; drafts and unpublished edits stay hidden', async () => {
    const w = word();
    const { teacher, test } = await publishedTest(quizDoc({ title: { ru: `Викторина ${w}`, en: `Quiz ${w}` } }));
    const draft = await createTest(teacher, quizDoc({ title: { ru: `Черновик ${w}` } }));
    const course = await createCourse(teacher, { title: { ru: `Курс ${w}` } });

    const res = await get(`/api/search?q=${w}&lang=en`);
    expect(res.status, show(res)).toBe(200);
    expect(ids(res).sort()).toEqual([course.id, test.id].sort());
    expect(ids(res)).not.toContain(draft.id);
    const hit = res.body.items.find((i: { id: string }) => i.id === test.id);
    expect(hit).toMatchObject({ kind: 'test', testKind: 'quiz', title: `Quiz ${w}`, titleLang: 'en', questionCount: 2, attemptCount: 0 });
    expect(hit.highlight).toBe(`Quiz <mark>${w}</mark>`);
    expect(res.body.items.find((i: { id: string }) => i.id === course.id)).toMatchObject({ kind: 'course' });
    expect(res.body.total).toEqual({ count: 2, capped: false });
    // Both kinds page together in every order: the course was published last.
    for (const order of ['newest', 'relevance', 'popularity', 'rating']) {
      const all = await allPages(`/api/search?q=${w}&sort=${order}`);
      expect(all.map((i) => i.id).sort(), order).toEqual([course.id, test.id].sort());
      if (order === 'newest') expect(all.map((i) => i.kind)).toEqual(['course', 'test']);
    }

    // Only one kind when asked; course-only filters leave tests out.
    expect(ids(await get(`/api/search?q=${w}&kind=test`))).toEqual([test.id]);
    expect(ids(await get(`/api/search?q=${w}&kind=course`))).toEqual([course.id]);
    expect(ids(await get(`/api/search?q=${w}&level=beginner`))).toEqual([course.id]);

    // An edited, not yet republished test is still found by its published title only.
    await api('PATCH', `/api/tests/${test.id}`, { token: teacher.token, body: { title: { ru: `Другое название` } } });
    const after = await get(`/api/search?q=${w}&kind=test`);
    expect(ids(after)).toEqual([test.id]);
  });

  it('a typo in a test word still finds it (published test titles feed the dictionary)', async () => {
    const w = word();
    const { test } = await publishedTest(quizDoc({ title: { ru: `Тест ${w}` } }));
    const typo = `${w.slice(0, 5)}${w[5] === 'q' ? 'z' : 'q'}${w.slice(6)}`;
    const res = await get(`/api/search?q=${typo}&kind=test`);
    expect(ids(res), show(res)).toEqual([test.id]);
  });

  it('a test published after a search was cached is found at once', async () => {
    const w = word();
    const teacher = await verifiedTeacher();
    const t = await createTest(teacher, quizDoc({ title: { ru: `Позже ${w}` } }));
    expect(ids(await get(`/api/search?q=${w}`))).toEqual([]);
    await publish(teacher, t.id);
    expect(ids(await get(`/api/search?q=${w}`))).toEqual([t.id]);
  });
});

describe('search and catalog orders', () => {
  /** Four courses sharing a word and a tag, with known ratings, enrollments and publish order. */
  async function fixture() {
    const w = word();
    const teacher = await verifiedTeacher();
    const made: string[] = [];
    for (let i = 0; i < 4; i++)
      made.push((await createCourse(teacher, { title: { ru: `${w} курс номер ${i}` }, tags: [w], modules: 1, lessonsPerModule: 1 })).id);
    // Counters the reviews and enrollment operations keep; set directly to known values.
    const stats: [number, number][] = [
      [4.5, 10],
      [3.0, 40],
      [5.0, 20],
      [3.0, 30],
    ];
    for (const [i, [rating, enrolled]] of stats.entries()) {
      await testDb().db.execute(
        sql`update ${courses} set rating_avg = ${rating}, rating_count = 1, rating_sum = ${Math.round(rating)}, enrollment_count = ${enrolled} where id = ${made[i]}`,
      );
    }
    // The popular order ranks by the copy the minute cron refreshes.
    await refreshPopularity(testDb().db);
    // A write the counters bypass: hide cached pages as a review would.
    await api('PATCH', `/api/courses/${made[0]}`, { token: teacher.token, body: { level: 'beginner' } });
    return { w, made };
  }

  const desc = (xs: string[]) => [...xs].sort().reverse();

  it('sorts by rating, popularity and newest, paging with cursors in each order (list and search alike)', async () => {
    const { w, made } = await fixture();
    const [c0, c1, c2, c3] = made as [string, string, string, string];
    // Rating ties (c1, c3 at 3.0) fall back to id, descending.
    const byRating = [c2, c0, ...desc([c1, c3])];
    const byPopularity = [c1, c3, c2, c0];
    const newest = [c3, c2, c1, c0];
    for (const base of [`/api/courses?tag=${w}`, `/api/search?q=${w}&kind=course`]) {
      expect(
        (await allPages(`${base}&sort=rating`)).map((i) => i.id),
        base,
      ).toEqual(byRating);
      expect(
        (await allPages(`${base}&sort=popularity`)).map((i) => i.id),
        base,
      ).toEqual(byPopularity);
      expect(
        (await allPages(`${base}&sort=newest`)).map((i) => i.id),
        base,
      ).toEqual(newest);
      expect(
        (await allPages(`${base}&sort=popularity`, 3)).map((i) => i.id),
        base,
      ).toEqual(byPopularity);
    }
    // Relevance: every match once, however it pages.
    const rel = await allPages(`/api/search?q=${w}&sort=relevance`);
    expect(rel.map((i) => i.id).sort()).toEqual([...made].sort());
  });

  it('a cursor of one order is refused by another (400 invalid_cursor), not read as a wrong page', async () => {
    const { w } = await fixture();
    const first = await api('GET', `/api/courses?tag=${w}&sort=rating&limit=1`);
    expect(first.body.nextCursor).toBeTruthy();
    const cross = await api('GET', `/api/courses?tag=${w}&sort=popularity&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(cross.status, show(cross)).toBe(400);
    expect(cross.body.error.code).toBe('invalid_cursor');
    const s = await get(`/api/search?q=${w}&sort=newest&limit=1`);
    const cross2 = await get(`/api/search?q=${w}&sort=relevance&limit=1&cursor=${encodeURIComponent(s.body.nextCursor)}`);
    expect(cross2.status, show(cross2)).toBe(400);
    expect((await api('GET', `/api/courses?sort=relevance`)).status).toBe(400);
  });
});

describe('result count', () => {
  it('is exact up to COUNT_CAP and "more" past it; only the first page carries it', async () => {
    const w = word();
    const teacher = await verifiedTeacher();
    await createCourse(teacher, { title: { ru: `${w} первый` } });
    const one = await get(`/api/search?q=${w}`);
    expect(one.body.total).toEqual({ count: 1, capped: false });

    // COUNT_CAP + 1 more published courses with the word, inserted in one statement.
    const w2 = word();
    await testDb().db.execute(sql`insert into ${courses} (teacher_id, title, language, published, published_at)
      select ${teacher.id}::uuid, jsonb_build_object('ru', ${w2} || ' ' || g), 'ru', true, now() from generate_series(1, ${COUNT_CAP + 1}) g`);
    try {
      const many = await get(`/api/search?q=${w2}&limit=5`);
      expect(many.status, show(many)).toBe(200);
      expect(many.body.total).toEqual({ count: COUNT_CAP, capped: true });
      expect(many.body.items).toHaveLength(5);
      const next = await get(`/api/search?q=${w2}&limit=5&cursor=${encodeURIComponent(many.body.nextCursor)}`);
      expect(next.body.total).toBeNull();
      expect(ids(next).some((id) => ids(many).includes(id))).toBe(false);
    } finally {
      await testDb().db.execute(sql`delete from ${courses} where teacher_id = ${teacher.id}::uuid and title->>'ru' like ${`${w2} %`}`);
    }
  });
});

describe('relevance over a bounded set', () => {
  it('a title match ranks first even behind more description matches than a search ranks; the pages reach every ranked match once', async () => {
    const w = word();
    const teacher = await verifiedTeacher();
    // More description-only matches than one search ranks, all read before the title match would be.
    await testDb().db.execute(sql`insert into ${courses} (teacher_id, title, description, language, published, published_at)
      select ${teacher.id}::uuid, jsonb_build_object('ru', 'Курс ' || g), jsonb_build_object('ru', ${w} || ' ' || g), 'ru', true, now()
      from generate_series(1, ${RANK_CAP + 50}) g`);
    try {
      const titled = await createCourse(teacher, { title: { ru: `Основы ${w}` } });
      // Past the search burst of one address: each request from its own.
      const search = (query: string) => api('GET', `/api/search?${query}`, { headers: { 'cf-connecting-ip': uniqueIp() } });
      const first = await search(`q=${w}&limit=5`);
      expect(first.status, show(first)).toBe(200);
      expect(ids(first)[0], show(first)).toBe(titled.id);
      expect(first.body.items[0].highlight).toBe(`Основы <mark>${w}</mark>`);
      expect(first.body.total).toEqual({ count: COUNT_CAP, capped: true });

      // Relevance pages through the ranked set — the matches the count counts — each once, in order.
      const seen: string[] = [];
      const keys: number[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 30; i++) {
        const res: ApiResponse<{ items: { id: string; score: number }[]; nextCursor: string | null }> = await search(
          `q=${w}&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(res.status, show(res)).toBe(200);
        seen.push(...res.body.items.map((it) => it.id));
        keys.push(...res.body.items.map((it) => it.score));
        cursor = res.body.nextCursor;
        if (!cursor) break;
      }
      expect(cursor).toBeNull();
      expect(seen).toHaveLength(RANK_CAP);
      expect(new Set(seen).size).toBe(RANK_CAP);
      expect(seen[0]).toBe(titled.id);
      // Past the title match, the description matches in descending rank.
      expect(keys.slice(1)).toEqual([...keys.slice(1)].sort((a, b) => b - a));
    } finally {
      await testDb().db.execute(sql`delete from ${courses} where teacher_id = ${teacher.id}::uuid`);
    }
  });

  it('a word in the title ranks before the same word in the description or tags, whichever was published first', async () => {
    const w = word();
    const teacher = await verifiedTeacher();
    const inDescription = await createCourse(teacher, { title: { ru: 'Описание' }, description: { ru: `${w} ${w} ${w}` } });
    const inTags = await createCourse(teacher, { title: { ru: 'Теги' }, tags: [w] });
    const inTitle = await createCourse(teacher, { title: { ru: `Заголовок ${w}` } });
    const res = await api('GET', `/api/search?q=${w}`, { headers: { 'cf-connecting-ip': uniqueIp() } });
    expect(ids(res), show(res)).toEqual([inTitle.id, inTags.id, inDescription.id]);
  });

  it('the tsquery text: repeated alternatives once, and the title-only form with every word at weight A', () => {
    expect(distinctAlternatives(`'информатик' | 'информатика' | 'информатика' | 'информатик'`)).toBe(`'информатик' | 'информатика'`);
    // Only the top level is split; quoted lexemes may hold operators.
    expect(distinctAlternatives(`'a' & ( 'b' | 'c' ) | 'a' & ( 'b' | 'c' ) | 'x|y'`)).toBe(`'a' & ( 'b' | 'c' ) | 'x|y'`);
    expect(titleOnly(`'веб-разработк' <-> 'веб' & !'it''s' | 'ab':*`)).toBe(`'веб-разработк':A <-> 'веб':A & !'it''s':A | 'ab':*A`);
  });
});

describe('suggestions', () => {
  it('complete the word being typed, tolerate a typo in it, and include tests', async () => {
    const w = word();
    const teacher = await verifiedTeacher();
    const course = await createCourse(teacher, { title: { ru: `Основы ${w}` } });
    const test = await createTest(teacher, quizDoc({ title: { ru: `Проверка ${w}` } }));
    await publish(teacher, test.id);

    const prefix = await get(`/api/search/suggest?q=${w.slice(0, 6)}`);
    expect(prefix.status, show(prefix)).toBe(200);
    expect(prefix.body.items).toEqual([
      { kind: 'course', id: course.id, title: `Основы ${w}`, titleLang: 'ru', highlight: `Основы <mark>${w}</mark>` },
      { kind: 'test', id: test.id, title: `Проверка ${w}`, titleLang: 'ru', highlight: `Проверка <mark>${w}</mark>` },
    ]);
    // The whole word, a typo in it, the word after a finished one.
    const typo = `${w.slice(0, 7)}${w[7] === 'x' ? 'y' : 'x'}${w.slice(8)}`;
    for (const q of [w, typo, `основы ${w.slice(0, 5)}`]) {
      const res = await get(`/api/search/suggest?q=${encodeURIComponent(q)}`);
      expect(ids(res), q).toContain(course.id);
    }
    // A finished word that matches nothing else leaves only what has both.
    expect(ids(await api('GET', `/api/search/suggest?q=${encodeURIComponent(`проверка ${w.slice(0, 6)}`)}`))).toEqual([test.id]);
    expect(ids(await api('GET', `/api/search/suggest?q=${encodeURIComponent(`${w} `)}`)).sort()).toEqual([course.id, test.id].sort());
  });

  it('say nothing for one letter, are publicly cacheable, and refuse unknown parameters', async () => {
    const one = await api('GET', '/api/search/suggest?q=a');
    expect(one.status).toBe(200);
    expect(one.body.items).toEqual([]);
    const res = await get(`/api/search/suggest?q=${word().slice(0, 4)}&lang=kk`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/public/);
    expect((await api('GET', '/api/search/suggest?q=ab&sort=rating')).status).toBe(400);
    expect((await get(`/api/search/suggest?q=${'a'.repeat(201)}`)).status).toBe(400);
  });
});
