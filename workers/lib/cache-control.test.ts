import { beforeAll, describe, expect, it } from 'vitest';
import { assessmentDoc, createChild, createTest } from '../../tests/support/assessments.ts';
import { createCourse, type CourseFixture } from '../../tests/support/catalog.ts';
import { api, show } from '../../tests/support/http.ts';
import { registerUser, verifiedTeacher, type TestUser } from '../../tests/support/users.ts';

/**
 * Personal responses are never stored by a shared cache: every GET of the OpenAPI document,
 * asked by a logged-in user, answers `Cache-Control: private, no-store` (errors included),
 * while the public catalog keeps its public caching for anonymous visitors.
 */
let teacher: TestUser;
let parent: TestUser;
let course: CourseFixture;
let childId: string;
let testId: string;
let getPaths: string[] = [];

beforeAll(async () => {
  teacher = await verifiedTeacher();
  course = await createCourse(teacher, { publish: true });
  parent = await registerUser('parent');
  childId = (await createChild(parent)).id;
  testId = (await createTest(teacher, assessmentDoc())).id;
  const doc = await api('GET', '/api/openapi.json');
  getPaths = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)
    .filter(([, ops]) => 'get' in ops)
    .map(([path]) => path);
});

/** Real ids where the path names a kind we have, a random one elsewhere (an error answer must be private too). */
function fill(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (/^\/api\/me\/children\//.test(path)) return childId;
    if (/^\/api\/(?:teacher\/)?tests\//.test(path)) return testId;
    if (/^\/api\/(?:me\/|teacher\/)?courses\//.test(path) || name === 'courseId') return course.id;
    if (/^\/api\/modules\//.test(path)) return course.moduleIds[0]!;
    if (/^\/api\/lessons\//.test(path)) return course.lessonIds[0]!;
    return crypto.randomUUID();
  });
}

describe('Cache-Control — personal by default (security)', () => {
  it('the OpenAPI document lists GET routes', () => {
    expect(getPaths.length).toBeGreaterThan(20);
  });

  it('every GET route, asked with credentials, answers private, no-store (or public only when identical to the anonymous answer)', async () => {
    const wrong: string[] = [];
    for (const path of getPaths) {
      const url = fill(path.startsWith('/api') ? path : `/api${path}`);
      const res = await api('GET', url, { token: url.startsWith('/api/me/children') ? parent.token : teacher.token });
      const cc = res.headers.get('cache-control') ?? '(none)';
      // no-store alone (health, metrics) keeps it out of every cache, private ones included.
      if (/\bno-store\b/.test(cc)) continue;
      // Shareable only if it is the very answer an anonymous visitor gets (nothing personal in it).
      const anonymous = await api('GET', url);
      if (/^public\b/.test(cc) && anonymous.status === res.status && anonymous.text === res.text) continue;
      wrong.push(`${url} → ${res.status} ${cc}`);
    }
    expect(wrong, wrong.join('\n')).toEqual([]);
  });

  it('the public catalog still says how long anonymous answers may be shared', async () => {
    const detail = await api('GET', `/api/courses/${course.id}`);
    expect(detail.status, show(detail)).toBe(200);
    expect(detail.headers.get('cache-control')).toMatch(/^public, .*s-maxage=\d+/);
    const list = await api('GET', '/api/courses');
    expect(list.headers.get('cache-control')).toMatch(/^public/);
  });
});
