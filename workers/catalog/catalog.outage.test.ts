import { afterEach, describe, expect, it } from 'vitest';
import { createCourse } from '../../tests/support/catalog.ts';
import { api, show } from '../../tests/support/http.ts';
import { redisControl } from '../../tests/support/outage.ts';
import { verifiedTeacher } from '../../tests/support/users.ts';

describe('catalog with Redis down', () => {
  afterEach(() => redisControl('resume'));

  it('reads fall back to Postgres and general rate limits fail open', async () => {
    const t = await verifiedTeacher();
    const uniq = Math.random().toString(36).slice(2, 10);
    const c = await createCourse(t, { title: { ru: `Курс без кэша ${uniq}` }, tags: [uniq] });
    expect((await redisControl('pause')).status).toBe(204);
    const list = await api('GET', `/api/courses?tag=${uniq}`);
    expect(list.status, show(list)).toBe(200);
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([c.id]);
    const search = await api('GET', `/api/search?q=${encodeURIComponent('курс без кэша')}&tag=${uniq}`);
    expect(search.status, show(search)).toBe(200);
    expect(search.body.items.map((i: { id: string }) => i.id)).toEqual([c.id]);
    const detail = await api('GET', `/api/courses/${c.id}?lang=kk`);
    expect(detail.status, show(detail)).toBe(200);
  });
});
