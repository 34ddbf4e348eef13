import { sql, type SQL } from 'drizzle-orm';
import type { LocalizedText } from '../../db/schema/index.ts';
import { pick, type Lang } from '../catalog/localize.ts';
import type { NextLesson, ProgressView } from './schemas.ts';

export type { NextLesson, ProgressView };

/**
 * A learner's progress in a course, computed from the course's CURRENT lessons (a join, never
 * a stored percentage): adding a lesson lowers it, deleting one (its progress rows cascade)
 * keeps it right. One correlated subquery yielding JSON, so a list of courses stays one
 * statement. "Next" is the first incomplete lesson in curriculum order (module position,
 * then lesson position, creation time breaking ties — the order the curriculum shows).
 */
export function progressJson(userId: string, courseId: SQL, opts: { completedIds?: boolean } = {}): SQL {
  const order = sql.raw('m.position, m.created_at, l.position, l.created_at');
  const ids = opts.completedIds
    ? sql`, 'completedIds', coalesce(array_agg(l.id order by ${order}) filter (where p.lesson_id is not null), '{}')`
    : sql``;
  return sql`(
    select json_build_object(
      'total', count(l.id),
      'done', count(p.lesson_id),
      'nextId', (array_agg(l.id order by ${order}) filter (where p.lesson_id is null))[1],
      'nextTitle', (array_agg(l.title order by ${order}) filter (where p.lesson_id is null))[1],
      'lastCompletedAt', max(p.completed_at)${ids})
    from lessons l
    join modules m on m.id = l.module_id
    left join lesson_progress p on p.lesson_id = l.id and p.user_id = ${userId}::uuid
    where l.course_id = ${courseId}
  )`;
}

export interface ProgressJson {
  total: number;
  done: number;
  nextId: string | null;
  nextTitle: LocalizedText | null;
  lastCompletedAt: string | null;
  completedIds?: string[];
}

export function progressView(p: Pick<ProgressJson, 'total' | 'done'>): ProgressView {
  const total = Number(p.total) || 0;
  const completed = Math.min(Number(p.done) || 0, total);
  return { completed, total, percent: total ? Math.floor((completed * 100) / total) : 0 };
}

export function nextLessonView(p: Pick<ProgressJson, 'nextId' | 'nextTitle'>, lang: Lang, primary?: Lang): NextLesson | null {
  return p.nextId ? { id: p.nextId, title: pick(p.nextTitle, lang, primary).value } : null;
}
