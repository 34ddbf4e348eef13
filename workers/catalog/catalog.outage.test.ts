import { env } from 'cloudflare:test';
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

  it('after repeated failures the breaker stops sending Redis calls; reads still answer from Postgres', async () => {
    const token = (env as unknown as { METRICS_TOKEN: string }).METRICS_TOKEN;
    const breaker = async (event: string) => {
      const text = (await api('GET', '/api/metrics', { token })).text;
      const line = text.split('\n').find((l) => l.startsWith(`sabaq_redis_breaker_total{event="${event}"} `));
      return line ? Number(line.split(' ')[1]) : 0;
    };
    // The previous test's outage may have left the breaker open: let it probe and close first.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await api('GET', '/api/courses?limit=5')).status).toBe(200);
    const [opened, skipped] = [await breaker('opened'), await breaker('skipped')];
    expect((await redisControl('pause')).status).toBe(204);
    // Each read makes a rate-limit call and a cache read: a few reads pass the threshold.
    for (let i = 0; i < 6; i++) expect((await api('GET', '/api/courses?limit=5')).status).toBe(200);
    expect(await breaker('opened')).toBeGreaterThan(opened);
    expect(await breaker('skipped')).toBeGreaterThan(skipped);
  });
});
