import { beforeAll, describe, expect, it } from 'vitest';
import { createCourse, type CourseFixture } from '../../tests/support/catalog.ts';
import { api } from '../../tests/support/http.ts';
import { createAdmin, verifiedTeacher, type TestUser } from '../../tests/support/users.ts';

/**
 * Bad input never reaches a 5xx: every route of the OpenAPI document, called with bodies and
 * query values a careless client or an attacker would send (100 KB strings, huge and
 * non-finite numbers, wrong types, NUL, lone surrogates), answers a 4xx — whatever the route.
 * A new route is probed as soon as it is documented.
 */
type Schema = { type?: string | string[]; properties?: Record<string, Schema>; $ref?: string; items?: Schema };
interface Operation {
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  parameters?: { name: string; in: string }[];
}

const BIG = 'x'.repeat(100_000);
/** Values put into every field of a body, one variant per request. */
const VARIANTS: [string, unknown][] = [
  ['100 KB string', BIG],
  ['huge number', 1e308],
  ['negative huge number', -1e308],
  ['huge integer', Number.MAX_SAFE_INTEGER * 1024],
  ['wrong type (object)', { a: { b: [1, 2, 3] } }],
  ['wrong type (array)', [null, true, 'x']],
  ['NUL', 'a\u0000b'],
  ['lone surrogate', 'a\uD800b'],
  ['null', null],
];
/** Query values per variant. */
const QUERY_VARIANTS = [BIG.slice(0, 8000), '1e308', '-1', 'NaN', '%00', '\uD800', '[]'];

let teacher: TestUser;
let admin: TestUser;
let course: CourseFixture;
let doc: { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };

beforeAll(async () => {
  teacher = await verifiedTeacher();
  admin = await createAdmin();
  course = await createCourse(teacher, { publish: true });
  doc = (await api('GET', '/api/openapi.json')).body;
});

function resolve(s: Schema | undefined): Schema | undefined {
  if (s?.$ref) return doc.components?.schemas?.[s.$ref.split('/').pop()!];
  return s;
}

function fill(path: string): string {
  const full = path.startsWith('/api') ? path : `/api${path}`;
  return full.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (/^\/api\/(?:me\/|teacher\/)?courses\//.test(full) || name === 'courseId') return course.id;
    if (/^\/api\/modules\//.test(full)) return course.moduleIds[0]!;
    if (/^\/api\/lessons\//.test(full)) return course.lessonIds[0]!;
    if (name === 'pin') return '123456';
    return crypto.randomUUID();
  });
}

/** The body's fields, each replaced by the variant (and one more field the schema does not know). */
function bodyWith(schema: Schema | undefined, value: unknown): unknown {
  const s = resolve(schema);
  if (!s?.properties) return { unexpected: value };
  return Object.fromEntries([...Object.keys(s.properties).map((k) => [k, value]), ['unexpected', value]]);
}

describe('bad input never answers 5xx (security)', () => {
  it('the OpenAPI document lists the write routes', () => {
    const writes = Object.values(doc.paths).flatMap((ops) => Object.keys(ops).filter((m) => m !== 'get'));
    expect(writes.length).toBeGreaterThan(30);
  });

  it('every write route, with every field set to each bad value, answers 4xx (or succeeds)', async () => {
    const fivexx: string[] = [];
    const statuses: Record<number, number> = {};
    let sent = 0;
    // Routes that end the session go last, so the rest are probed past authentication.
    const ends = (path: string, method: string) =>
      /auth\/(logout|refresh)/.test(path) || (method === 'delete' && /^(\/api)?\/me$/.test(path));
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => [path, method, op] as const),
    );
    routes.sort((a, b) => Number(ends(a[0], a[1])) - Number(ends(b[0], b[1])));
    for (const [path, method, op] of routes) {
      {
        if (method === 'get' || /webhook|mock-pay/.test(path)) continue;
        const url = fill(path);
        const schema = op.requestBody?.content?.['application/json']?.schema;
        for (const [label, value] of VARIANTS) {
          const token = /\/admin\//.test(url) ? admin.token : teacher.token;
          const res = await api(method.toUpperCase(), url, {
            body: bodyWith(schema, value),
            token,
            headers: { 'idempotency-key': crypto.randomUUID(), 'cf-connecting-ip': `10.77.${sent % 250}.${(sent >> 8) % 250}` },
          });
          sent++;
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status >= 500) fivexx.push(`${method.toUpperCase()} ${url} [${label}] → ${res.status} ${res.text.slice(0, 200)}`);
        }
      }
    }
    console.info('write probe statuses', JSON.stringify(statuses));
    expect(sent).toBeGreaterThan(100);
    expect(fivexx, fivexx.join('\n')).toEqual([]);
  });

  it('every GET route, with every query parameter set to each bad value, answers 4xx (or succeeds)', async () => {
    const fivexx: string[] = [];
    let sent = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      const op = ops.get;
      if (!op || /metrics|live|\/play|\/host/.test(path)) continue;
      const names = [...(op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name), 'cursor', 'limit'];
      for (const value of QUERY_VARIANTS) {
        const query = new URLSearchParams(names.map((n) => [n, value])).toString();
        const res = await api('GET', `${fill(path)}?${query}`, {
          token: teacher.token,
          headers: { 'cf-connecting-ip': `10.78.${sent % 250}.${(sent >> 8) % 250}` },
        });
        sent++;
        if (res.status >= 500) fivexx.push(`GET ${path} [${JSON.stringify(value).slice(0, 20)}] → ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
    expect(sent).toBeGreaterThan(50);
    expect(fivexx, fivexx.join('\n')).toEqual([]);
  });
});
