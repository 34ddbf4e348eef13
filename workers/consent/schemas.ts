import { z } from '@hono/zod-openapi';

/** One consent record as the API shows it (the domain's ConsentView is inferred from it). */
export const ConsentRecord = z
  .object({
    kind: z.enum(['terms', 'privacy', 'child_data']),
    version: z.string(),
    childId: z.string().nullable(),
    givenAt: z.string(),
    withdrawnAt: z.string().nullable(),
  })
  .openapi('ConsentRecord');
