import { z } from '@hono/zod-openapi';
import { CourseCardSchema, LocalizedTexts } from '../catalog/schemas.ts';
import { ConsentRecord } from '../consent/schemas.ts';
import { Language } from '../lib/openapi.ts';
import { ExportAttemptSchema, ExportReportSchema, ExportResultSchema } from './export-schema.ts';

/**
 * The identity API's answers, written once: the routes document them, the domain returns their
 * inferred types, and the site's types are generated from the document (`npm run gen:api`).
 */
export const UserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    language: Language,
    role: z.enum(['learner', 'parent', 'teacher', 'admin']),
    teacherStatus: z.enum(['none', 'pending', 'verified', 'rejected']),
    createdAt: z.string(),
    lastActiveAt: z.string().nullable(),
    emailVerified: z.boolean().openapi({ description: 'The address was confirmed (publishing and paying need it)' }),
    avatarUrl: z.string().nullable().openapi({ description: 'The uploaded photo (`/images/…`), if any' }),
    bio: LocalizedTexts.openapi({ description: '"About me" per language (shown on a teacher\'s public page)' }),
  })
  .openapi('User');

export const TeacherProfileSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    avatarUrl: z.string().nullable(),
    bio: z.string(),
    bioLang: Language.openapi({ description: 'The language the bio is shown in (a fallback when it differs from the asked one)' }),
    rating: z
      .object({ average: z.number(), count: z.number() })
      .openapi({ description: 'Across the published courses, weighted by the number of ratings' }),
    courses: z.array(CourseCardSchema),
  })
  .openapi('TeacherProfile');

export const TokensSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number().openapi({ description: 'Seconds until the access token expires' }),
});
export const SessionSchema = TokensSchema.extend({ user: UserSchema }).openapi('Session');

export const ChildSchema = z
  .object({ id: z.string(), name: z.string(), birthYear: z.number(), language: Language, createdAt: z.string() })
  .openapi('Child');
export const ChildExportSchema = z
  .object({
    exportedAt: z.string(),
    child: ChildSchema,
    attempts: z.array(ExportAttemptSchema),
    results: z.array(ExportResultSchema),
    reports: z.array(ExportReportSchema),
    consents: z.array(ConsentRecord).openapi({ description: 'The parent’s consent records about this child' }),
  })
  .openapi('ChildExport');

export const TeacherReviewSchema = UserSchema.extend({ reviewNote: z.string().nullable(), reviewedAt: z.string().nullable() });

export type PublicUser = z.infer<typeof UserSchema>;
export type TeacherProfile = z.infer<typeof TeacherProfileSchema>;
/** The tokens a client gets, and the session they belong to (kept on the server side). */
export type SessionTokens = z.infer<typeof TokensSchema> & { sessionId: string };
export type ChildView = z.infer<typeof ChildSchema>;
export type ChildExport = z.infer<typeof ChildExportSchema>;
export type TeacherReviewView = z.infer<typeof TeacherReviewSchema>;
