/** Catalog fixtures built through the real authoring API. */
import { api, show } from './http.ts';
import type { TestUser } from './users.ts';

export interface CourseFixture {
  id: string;
  moduleIds: string[];
  lessonIds: string[];
}

export interface CourseSpec {
  title?: Record<string, string>;
  description?: Record<string, string>;
  language?: 'ru' | 'kk' | 'en';
  level?: 'beginner' | 'intermediate' | 'advanced';
  tags?: string[];
  category?: string;
  price?: { amount: number; currency: string } | null;
  modules?: number;
  lessonsPerModule?: number;
  /** Make the first lesson a free preview. */
  preview?: boolean;
  publish?: boolean;
}

async function ok(res: Promise<{ status: number; body: any; text: string; headers: Headers }>, expected: number) {
  const r = await res;
  if (r.status !== expected) throw new Error(`expected ${expected}, got ${show(r)}`);
  return r.body;
}

export async function createCourse(teacher: TestUser, spec: CourseSpec = {}): Promise<CourseFixture> {
  const course = await ok(
    api('POST', '/api/courses', {
      token: teacher.token,
      body: {
        title: spec.title ?? { ru: `Курс ${Math.random().toString(36).slice(2, 8)}` },
        description: spec.description ?? { ru: 'Описание курса' },
        language: spec.language ?? 'ru',
        level: spec.level,
        tags: spec.tags,
        category: spec.category,
        price: spec.price,
      },
    }),
    201,
  );
  const moduleIds: string[] = [];
  const lessonIds: string[] = [];
  for (let m = 0; m < (spec.modules ?? 1); m++) {
    const mod = await ok(
      api('POST', `/api/courses/${course.id}/modules`, { token: teacher.token, body: { title: { ru: `Модуль ${m + 1}` } } }),
      201,
    );
    moduleIds.push(mod.id);
    for (let l = 0; l < (spec.lessonsPerModule ?? 2); l++) {
      const lesson = await ok(
        api('POST', `/api/modules/${mod.id}/lessons`, {
          token: teacher.token,
          body: {
            title: { ru: `Урок ${m + 1}.${l + 1}`, en: `Lesson ${m + 1}.${l + 1}` },
            body: { ru: `# Урок ${l + 1}\n\nТекст урока.` },
            preview: Boolean(spec.preview && m === 0 && l === 0),
            durationMin: 10,
          },
        }),
        201,
      );
      lessonIds.push(lesson.id);
    }
  }
  if (spec.publish ?? true) await ok(api('POST', `/api/courses/${course.id}/publish`, { token: teacher.token }), 200);
  return { id: course.id, moduleIds, lessonIds };
}
