import { z } from '@hono/zod-openapi';
import { CourseCardSchema } from '../catalog/schemas.ts';
import { Language } from '../lib/openapi.ts';

/**
 * A verified teacher's public profile, written once: the route documents it (OpenAPI), the
 * domain (profiles.ts) and the rendered page (site/teacher-page.ts) use its inferred type.
 * Its courses are the catalog's own cards.
 */
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

export type TeacherProfile = z.infer<typeof TeacherProfileSchema>;
