// The API's answers as the site sees them: aliases of the types generated from the Worker's own
// OpenAPI document (api.gen.ts, `npm run gen:api`), never copied by hand — a route change that
// breaks a page fails the site's type check, and `npm test` fails when api.gen.ts is stale.
import type { components, paths } from './api.gen';

export type Schemas = components['schemas'];
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** The JSON body of a successful answer of `method path` (200, else 201). */
export type ApiResponse<P extends keyof paths, M extends Method = 'get'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer B } } };
}
  ? B
  : paths[P][M] extends { responses: { 201: { content: { 'application/json': infer B } } } }
    ? B
    : never;
/** The JSON body `method path` takes. */
export type ApiRequest<P extends keyof paths, M extends Method = 'post'> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

/** The query parameters of `method path`. */
export type ApiQuery<P extends keyof paths, M extends Method = 'get'> = paths[P][M] extends { parameters: { query?: infer Q } }
  ? NonNullable<Q>
  : never;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type ApiErrorBody = Schemas['Error'];
export type User = Schemas['User'];
export type Role = User['role'];
export type TeacherStatus = NonNullable<User['teacherStatus']>;
export type Child = Schemas['Child'];
export type Category = ApiResponse<'/api/categories'>['items'][number];
export type CourseCard = Schemas['CourseCard'];
export type Price = NonNullable<CourseCard['price']>;
export type CourseDetail = Schemas['CourseDetail'];
/** A search result: a course card, or a published test (GET /api/search). */
export type SearchHit = Schemas['SearchHit'];
export type TestHit = Schemas['TestHit'];
export type CourseHit = Schemas['CourseHit'];
export type SearchPage = Schemas['SearchPage'];
export type Suggestion = Schemas['Suggestions']['items'][number];

// Dashboards (issue 19).
export type DashboardText = Schemas['DashboardText'];
export type DashboardPulse = Schemas['DashboardPulse'];
export type DashboardOverview = Schemas['DashboardOverview'];
export type DashboardVoices = Schemas['DashboardVoices'];
export type DashboardReview = DashboardVoices['newest'][number];
export type DashboardSeams = Schemas['DashboardSeams'];
export type PlatformDashboard = Schemas['PlatformDashboard'];
export type OpsDashboard = Schemas['OpsDashboard'];
export type OpsQueue = OpsDashboard['queues'][number];
