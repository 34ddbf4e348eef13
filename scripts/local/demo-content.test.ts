import pg from 'pg';
import { describe, expect, inject, test } from 'vitest';
import { parseDocument } from '../../workers/assessments/document.ts';
import { scoreAttempt } from '../../workers/assessments/scoring.ts';
import { renderLesson } from '../../workers/catalog/markdown.ts';
import { ProfileInput } from '../../workers/consultations/schemas.ts';
import { firstFreeSlot, overlappingRules } from '../../workers/consultations/slots.ts';
import { seedDemoSpecialist } from './demo-catalog.ts';
import { DEMO_COURSES } from './demo/courses.ts';
import { DEMO_SPECIALIST } from './demo/specialists.ts';
import { ANXIETY_SCREENING, ATTENTION_SCREENING, DEMO_ASSESSMENTS, DEMO_QUIZZES } from './demo/tests.ts';

describe('demo content', () => {
  test('a dozen courses across categories, each with real lessons and a free preview', () => {
    expect(DEMO_COURSES.length).toBeGreaterThanOrEqual(12);
    expect(new Set(DEMO_COURSES.map((c) => c.category)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(DEMO_COURSES.map((c) => c.language))).toEqual(new Set(['ru', 'kk', 'en']));
    expect(new Set(DEMO_COURSES.map((c) => c.key)).size).toBe(DEMO_COURSES.length);
    for (const c of DEMO_COURSES) {
      const lessons = c.modules.flatMap((m) => m.lessons);
      expect(lessons.length, c.key).toBeGreaterThanOrEqual(2);
      expect(
        lessons.some((l) => l.preview),
        `${c.key} has a free preview`,
      ).toBe(true);
      for (const l of lessons) {
        const own = l.body[c.language];
        expect(own, `${c.key} / ${JSON.stringify(l.title)} in ${c.language}`).toBeTruthy();
        expect(own!.length, `${c.key} lesson text is more than a line`).toBeGreaterThan(250);
        // The lesson page's title is the one <h1>: bodies start their headings at ##.
        expect(renderLesson(own!)).not.toMatch(/<h1/);
      }
    }
    expect(DEMO_COURSES.flatMap((c) => c.modules.flatMap((m) => m.lessons)).filter((l) => l.video).length).toBeGreaterThanOrEqual(2);
  });

  test.each([...DEMO_ASSESSMENTS, ...DEMO_QUIZZES].map((t) => [t.key, t] as const))('%s is a valid test document', (_key, t) => {
    const parsed = parseDocument(t.document);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error.issues));
    expect(parsed.doc.title.ru && parsed.doc.title.kk && parsed.doc.title.en).toBeTruthy();
  });

  test('the screenings are marked demo / not a diagnosis, and their bands cover every possible score', () => {
    for (const a of [ANXIETY_SCREENING, ATTENTION_SCREENING]) {
      const parsed = parseDocument(a.document);
      if (!parsed.ok) throw new Error('invalid');
      expect(parsed.doc.description?.en).toContain('not a diagnosis');
      expect(parsed.doc.description?.ru).toContain('не диагноз');
      expect(parsed.doc.description?.kk).toContain('диагноз емес');
      const none = scoreAttempt(parsed.doc, {});
      const all = scoreAttempt(
        parsed.doc,
        Object.fromEntries(parsed.doc.questions.filter((q) => q.type === 'likert').map((q) => [q.key, { value: 3 }])),
      );
      for (const s of parsed.doc.scales) {
        const lo = none.scales.find((x) => x.key === s.key)!;
        const hi = all.scales.find((x) => x.key === s.key)!;
        expect(s.bands[0]!.min).toBe(lo.min);
        expect(s.bands.at(-1)!.max).toBe(hi.max);
        expect(hi.score).toBe(hi.max);
        for (let i = 1; i < s.bands.length; i++) expect(s.bands[i]!.min).toBe(s.bands[i - 1]!.max + 1);
      }
    }
  });

  test('the demo specialist: a valid profile in three languages, a free 30-minute intro and a paid hour, free time within days', () => {
    const d = DEMO_SPECIALIST;
    const parsed = ProfileInput.safeParse({
      bio: d.bio,
      languages: d.languages,
      specialties: d.specialties,
      timeZone: d.timeZone,
      bufferMinutes: d.bufferMinutes,
      sessionTypes: d.sessionTypes.map((t) => ({ durationMinutes: t.durationMinutes, price: { amount: t.price, currency: 'KZT' } })),
    });
    if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues));
    for (const lang of ['ru', 'kk', 'en'] as const) expect(d.bio[lang].length, lang).toBeGreaterThan(80);
    expect(d.timeZone).toBe('Asia/Almaty');
    expect(d.sessionTypes).toContainEqual({ durationMinutes: 30, price: 0 });
    expect(d.sessionTypes.some((t) => t.durationMinutes === 60 && t.price > 0)).toBe(true);
    expect(overlappingRules(d.rules)).toEqual([]);
    // Whatever day `npm start` runs on, something is free within three days.
    for (let day = 0; day < 7; day++) {
      const now = Date.UTC(2027, 2, 1 + day, 6, 0);
      const plan = { timeZone: d.timeZone, bufferMinutes: d.bufferMinutes, rules: d.rules, exceptions: [], busy: [] };
      const from = new Date(now).toISOString().slice(0, 10);
      const to = new Date(now + 62 * 86_400_000).toISOString().slice(0, 10);
      const first = firstFreeSlot(plan, [30, 60], from, to, now);
      expect(first, `day ${day}`).not.toBeNull();
      expect(first! - now).toBeLessThan(3 * 86_400_000);
    }
  });

  test('seeding the demo specialist is idempotent, lists it with its next free slot, and leaves an edited profile alone', async () => {
    const client = new pg.Client(inject('databaseUrl'));
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string }>(
        `insert into users (email, password_hash, name, language, role, teacher_status)
         values ($1, 'x', 'Нурлан Сейткали', 'ru', 'teacher', 'verified') returning id`,
        [`demo.specialist.${crypto.randomUUID()}@example.test`],
      );
      const id = rows[0]!.id;
      const count = async (table: string) =>
        (await client.query<{ n: number }>(`select count(*)::int as n from ${table} where specialist_id = $1`, [id])).rows[0]!.n;
      await seedDemoSpecialist(client, id);
      await seedDemoSpecialist(client, id);
      const [sp] = (
        await client.query<{ verified: boolean; bio: Record<string, string>; next_free_at: Date | null; time_zone: string }>(
          'select verified, bio, next_free_at, time_zone from specialists where id = $1',
          [id],
        )
      ).rows;
      expect(sp).toMatchObject({ verified: true, time_zone: 'Asia/Almaty', bio: DEMO_SPECIALIST.bio });
      expect(await count('specialist_session_types')).toBe(2);
      expect(await count('availability_rules')).toBe(DEMO_SPECIALIST.rules.length);
      expect(sp!.next_free_at!.getTime()).toBeGreaterThanOrEqual(Date.now() + 12 * 3_600_000 - 60_000);
      // The teacher took the hours away: a restart keeps that, and there is no free slot any more.
      await client.query('delete from availability_rules where specialist_id = $1', [id]);
      await seedDemoSpecialist(client, id);
      expect(await count('availability_rules')).toBe(0);
      const after = await client.query('select next_free_at from specialists where id = $1', [id]);
      expect(after.rows[0].next_free_at).toBeNull();
    } finally {
      await client.end();
    }
  });
});
