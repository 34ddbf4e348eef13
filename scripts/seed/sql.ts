/**
 * The seeder's SQL vocabulary, created per connection as session-temporary functions
 * (`pg_temp.*`, gone when the connection closes; nothing is left in the schema).
 *
 * Every row is a pure function of its number and the plan's seed: `h(n, salt)` is a stable
 * 64-bit hash (hashint8extended, the function hash partitioning relies on, so it does not
 * change between runs or machines), ids are `md5(kind:n)` UUIDs. So the same plan gives the
 * same rows whatever the batch order or parallelism, a batch can be re-run, and one table's
 * seeder can recompute another's attributes (a course's language, a module's lesson count)
 * without reading them back.
 */
import type { SeedPlan } from './plan.ts';
import { roleRanges } from './plan.ts';
import {
  FEMALE_FIRST,
  GOALS,
  LESSON_KINDS,
  LESSON_LINES,
  LEVELS,
  MALE_FIRST,
  REVIEW_TEXTS,
  SUBJECTS,
  SURNAMES,
  capitalize,
  type Tri,
} from './words.ts';

export const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const arr = (xs: (string | number)[]) => `array[${xs.map((x) => (typeof x === 'number' ? String(x) : lit(x))).join(',')}]`;

/** A text function over a list of translations: f(i 1-based, lang). */
function triFn(name: string, rows: Tri[]): string {
  const col = (k: 0 | 1 | 2) => arr(rows.map((r) => r[k]));
  return `create or replace function pg_temp.${name}(i int, l text) returns text language sql stable as $$
    select case l when 'ru' then (${col(0)})[i] when 'kk' then (${col(1)})[i] else (${col(2)})[i] end $$`;
}

/** Dates seeded rows fall between (fixed, so runs agree). */
export const SEED_EPOCH = '2024-09-01T00:00:00Z';
export const SEED_SPAN_DAYS = 790;

export function helperSql(plan: SeedPlan, categoryIds: string[]): string {
  const topics = SUBJECTS.flatMap((s) => s.topics);
  const offsets: number[] = [];
  let off = 1;
  for (const s of SUBJECTS) {
    offsets.push(off);
    off += s.topics.length;
  }
  const tagOffsets: number[] = [];
  let toff = 1;
  for (const s of SUBJECTS) {
    tagOffsets.push(toff);
    toff += s.tags.length;
  }
  const r = roleRanges(plan);
  const S = SUBJECTS.length;
  return [
    `set search_path = public`,
    // 63-bit non-negative hash of (n, salt) under the plan's seed.
    `create or replace function pg_temp.h(n bigint, salt int) returns bigint language sql stable as $$
       select hashint8extended(n, ${plan.seed}::bigint * 1000 + salt) & 9223372036854775807 $$`,
    `create or replace function pg_temp.sid(kind text, n bigint) returns uuid language sql stable as $$
       select md5('sabaq-seed:' || kind || ':' || n)::uuid $$`,
    `create or replace function pg_temp.at(n bigint, salt int) returns timestamptz language sql stable as $$
       select timestamptz '${SEED_EPOCH}' + make_interval(secs => pg_temp.h(n, salt) % ${SEED_SPAN_DAYS * 86400}) $$`,
    triFn(
      'subj',
      SUBJECTS.map((s) => s.title),
    ),
    triFn('topic', topics),
    triFn(
      'topicc',
      topics.map((t) => t.map(capitalize) as Tri),
    ),
    triFn('lvl', LEVELS),
    triFn('goal', GOALS),
    triFn('kind', LESSON_KINDS),
    triFn('line', LESSON_LINES),
    triFn('review', REVIEW_TEXTS),
    `create or replace function pg_temp.topic_off(s int) returns int language sql stable as $$ select (${arr(offsets)})[s] $$`,
    `create or replace function pg_temp.topic_cnt(s int) returns int language sql stable as $$ select (${arr(SUBJECTS.map((x) => x.topics.length))})[s] $$`,
    `create or replace function pg_temp.tag(s int, i bigint) returns text language sql stable as $$
       select (${arr(SUBJECTS.flatMap((x) => x.tags))})[(${arr(tagOffsets)})[s] + (i % (${arr(SUBJECTS.map((x) => x.tags.length))})[s])::int] $$`,
    `create or replace function pg_temp.category(s int) returns uuid language sql stable as $$ select ((${arr(categoryIds)})::uuid[])[s] $$`,
    `create or replace function pg_temp.first_name(female bool, i bigint) returns text language sql stable as $$
       select case when female then (${arr(FEMALE_FIRST)})[1 + i % ${FEMALE_FIRST.length}] else (${arr(MALE_FIRST)})[1 + i % ${MALE_FIRST.length}] end $$`,
    `create or replace function pg_temp.surname(female bool, i bigint) returns text language sql stable as $$
       select case when female then (${arr(SURNAMES.map((x) => x[1]))})[1 + i % ${SURNAMES.length}] else (${arr(SURNAMES.map((x) => x[0]))})[1 + i % ${SURNAMES.length}] end $$`,
    `create or replace function pg_temp.lang(i int) returns text language sql stable as $$ select (array['ru','kk','en'])[i] $$`,

    // --- users --------------------------------------------------------------------------
    `create or replace function pg_temp.u_created(n bigint) returns timestamptz language sql stable as $$ select pg_temp.at(n, 101) $$`,
    // ru 50 %, kk 40 %, en 10 %
    `create or replace function pg_temp.u_lang(n bigint) returns text language sql stable as $$
       select case when pg_temp.h(n, 102) % 10 < 5 then 'ru' when pg_temp.h(n, 102) % 10 < 9 then 'kk' else 'en' end $$`,
    `create or replace function pg_temp.learner_user(k bigint) returns bigint language sql stable as $$ select ${r.learner - 1} + k $$`,
    `create or replace function pg_temp.parent_user(k bigint) returns bigint language sql stable as $$ select ${r.parent - 1} + k $$`,
    `create or replace function pg_temp.teacher_user(k bigint) returns bigint language sql stable as $$ select ${r.teacher - 1} + k $$`,

    // --- courses (pure functions of the course number n) ----------------------------------
    `create or replace function pg_temp.c_subject(n bigint) returns int language sql stable as $$ select (1 + pg_temp.h(n, 1) % ${S})::int $$`,
    `create or replace function pg_temp.c_topic(n bigint) returns int language sql stable as $$
       select pg_temp.topic_off(pg_temp.c_subject(n)) + (pg_temp.h(n, 2) % pg_temp.topic_cnt(pg_temp.c_subject(n)))::int $$`,
    // a second topic of the same subject, for descriptions
    `create or replace function pg_temp.c_topic2(n bigint) returns int language sql stable as $$
       select pg_temp.topic_off(pg_temp.c_subject(n)) + ((pg_temp.h(n, 2) + 1) % pg_temp.topic_cnt(pg_temp.c_subject(n)))::int $$`,
    // beginner 50 %, intermediate 35 %, advanced 15 %
    `create or replace function pg_temp.c_level(n bigint) returns int language sql stable as $$
       select case when pg_temp.h(n, 3) % 100 < 50 then 1 when pg_temp.h(n, 3) % 100 < 85 then 2 else 3 end $$`,
    // main language: ru 45 %, kk 35 %, en 20 %
    `create or replace function pg_temp.c_lang(n bigint) returns text language sql stable as $$
       select case when pg_temp.h(n, 4) % 100 < 45 then 'ru' when pg_temp.h(n, 4) % 100 < 80 then 'kk' else 'en' end $$`,
    // which languages the title and description exist in: the main one, often ru+kk, 15 % all three
    `create or replace function pg_temp.c_has(n bigint, l text) returns bool language sql stable as $$
       select l = pg_temp.c_lang(n) or pg_temp.h(n, 5) % 100 < 15
         or (l = 'ru' and pg_temp.h(n, 5) % 100 < 40)
         or (l = 'kk' and pg_temp.c_lang(n) = 'ru' and pg_temp.h(n, 5) % 100 < 35) $$`,
    `create or replace function pg_temp.c_title(n bigint, l text) returns text language sql stable as $$
       select case pg_temp.h(n, 6) % 4
         when 0 then pg_temp.subj(pg_temp.c_subject(n), l) || ': ' || pg_temp.topic(pg_temp.c_topic(n), l)
         when 1 then pg_temp.topicc(pg_temp.c_topic(n), l) || ' — ' || pg_temp.lvl(pg_temp.c_level(n), l)
         when 2 then pg_temp.subj(pg_temp.c_subject(n), l) || case l when 'ru' then ' ' || (5 + pg_temp.h(n, 7) % 7) || ' класс: '
                                                              when 'kk' then ' ' || (5 + pg_temp.h(n, 7) % 7) || '-сынып: '
                                                              else ' grade ' || (5 + pg_temp.h(n, 7) % 7) || ': ' end
                     || pg_temp.topic(pg_temp.c_topic(n), l)
         else pg_temp.topicc(pg_temp.c_topic(n), l) || case l when 'ru' then ': интенсив за ' || (5 + pg_temp.h(n, 8) % 8) || ' недель'
                                                        when 'kk' then ': ' || (5 + pg_temp.h(n, 8) % 8) || ' аптада қарқынды курс'
                                                        else ': ' || (5 + pg_temp.h(n, 8) % 8) || '-week intensive' end
       end $$`,
    `create or replace function pg_temp.c_description(n bigint, l text) returns text language sql stable as $$
       select case l
         when 'ru' then 'Курс «' || pg_temp.topicc(pg_temp.c_topic(n), l) || '» (' || pg_temp.subj(pg_temp.c_subject(n), l) || ', ' || pg_temp.lvl(pg_temp.c_level(n), l)
           || '). Вы разберёте тему «' || pg_temp.topic(pg_temp.c_topic2(n), l) || '», выполните ' || (10 + pg_temp.h(n, 9) % 40)
           || ' практических заданий и подготовитесь к ' || pg_temp.goal((1 + pg_temp.h(n, 10) % ${GOALS.length})::int, l) || '.'
         when 'kk' then '«' || pg_temp.topicc(pg_temp.c_topic(n), l) || '» курсы (' || pg_temp.subj(pg_temp.c_subject(n), l) || ', ' || pg_temp.lvl(pg_temp.c_level(n), l)
           || '). Сіз «' || pg_temp.topic(pg_temp.c_topic2(n), l) || '» тақырыбын талдайсыз, ' || (10 + pg_temp.h(n, 9) % 40)
           || ' практикалық тапсырма орындайсыз және ' || pg_temp.goal((1 + pg_temp.h(n, 10) % ${GOALS.length})::int, l) || ' дайындаласыз.'
         else 'A course on ' || pg_temp.topic(pg_temp.c_topic(n), l) || ' (' || pg_temp.subj(pg_temp.c_subject(n), l) || ', ' || pg_temp.lvl(pg_temp.c_level(n), l)
           || '). You will work through ' || pg_temp.topic(pg_temp.c_topic2(n), l) || ', solve ' || (10 + pg_temp.h(n, 9) % 40)
           || ' practice tasks and get ready for ' || pg_temp.goal((1 + pg_temp.h(n, 10) % ${GOALS.length})::int, l) || '.'
       end $$`,
    `create or replace function pg_temp.localized(n bigint, ru text, kk text, en text) returns jsonb language sql stable as $$
       select jsonb_strip_nulls(jsonb_build_object(
         'ru', case when pg_temp.c_has(n, 'ru') then ru end,
         'kk', case when pg_temp.c_has(n, 'kk') then kk end,
         'en', case when pg_temp.c_has(n, 'en') then en end)) $$`,
    // 60 % free; else 990..49,990 KZT, in tiyn
    `create or replace function pg_temp.c_price(n bigint) returns int language sql stable as $$
       select case when pg_temp.h(n, 11) % 100 < 60 then 0 else ((990 + (pg_temp.h(n, 12) % 50) * 1000) * 100)::int end $$`,
    // owned by a verified teacher; half of the courses belong to the most productive fifth
    `create or replace function pg_temp.c_teacher(n bigint) returns bigint language sql stable as $$
       select pg_temp.teacher_user(1 + case when pg_temp.h(n, 13) % 2 = 0 then pg_temp.h(n, 14) % ${Math.max(1, Math.floor(plan.verifiedTeachers / 5))}
                                             else pg_temp.h(n, 14) % ${plan.verifiedTeachers} end) $$`,
    `create or replace function pg_temp.c_created(n bigint) returns timestamptz language sql stable as $$ select pg_temp.at(n, 15) $$`,
    `create or replace function pg_temp.c_published(n bigint) returns bool language sql stable as $$ select pg_temp.h(n, 16) % 100 < 90 $$`,
    `create or replace function pg_temp.c_published_at(n bigint) returns timestamptz language sql stable as $$
       select case when pg_temp.c_published(n) then pg_temp.c_created(n) + make_interval(days => (1 + pg_temp.h(n, 17) % 10)::int) end $$`,
    `create or replace function pg_temp.c_modules(n bigint) returns int language sql stable as $$
       select (${plan.minModules} + pg_temp.h(n, 20) % ${plan.maxModules - plan.minModules + 1})::int $$`,
    `create or replace function pg_temp.m_lessons(n bigint, j int) returns int language sql stable as $$
       select (${plan.minLessons} + pg_temp.h(n * 8 + j, 21) % ${plan.maxLessons - plan.minLessons + 1})::int $$`,
  ].join(';\n');
}
