import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, ctxOf } from '../app.ts';
import { authenticate } from '../identity/auth.ts';
import { IdParam, errorResponses, json, jsonBody } from '../lib/openapi.ts';
import { CONSENT_VERSIONS, giveChildConsent, myConsents, withdrawChildConsent } from './consent.ts';
import { ConsentRecord } from './schemas.ts';

const user = authenticate();
const NO_STORE = { 'Cache-Control': 'private, no-store' };

/**
 * What an assessment taken for a child stores and who sees it: the same facts the privacy
 * notice states, served so the site shows them next to the assessment (one source).
 */
export const CHILD_ASSESSMENT_DATA = {
  stored: ['child_profile', 'answers', 'scores', 'report_pdf'],
  seenBy: ['parent'],
  notSeenBy: ['test_author', 'other_users'],
  authorSees: 'aggregate_statistics_only',
  retention: 'until_deleted_by_parent',
} as const;

const Privacy = z
  .object({
    versions: z.object({ terms: z.string(), privacy: z.string(), child_data: z.string() }),
    childAssessment: z.object({
      stored: z.array(z.string()),
      seenBy: z.array(z.string()),
      notSeenBy: z.array(z.string()),
      authorSees: z.string(),
      retention: z.string(),
    }),
  })
  .openapi('Privacy');

const r = {
  privacy: createRoute({
    method: 'get',
    path: '/privacy',
    tags: ['consent'],
    summary:
      'Current versions of the terms, the privacy notice and the child-data consent, and what a child assessment stores and who sees it',
    responses: { 200: json(Privacy) },
  }),
  mine: createRoute({
    method: 'get',
    path: '/me/consents',
    tags: ['consent'],
    summary: "The user's consent records: terms and privacy notice accepted, consents given for children, withdrawals",
    middleware: [user] as const,
    responses: { 200: json(z.object({ items: z.array(ConsentRecord) })), ...errorResponses(401) },
  }),
  give: createRoute({
    method: 'post',
    path: '/me/children/{id}/consent',
    tags: ['consent'],
    summary: "Record the parent's consent to process the child's data (for a child added without it)",
    middleware: [user] as const,
    request: { params: IdParam, body: jsonBody(z.object({ version: z.string().max(40) })) },
    responses: { 200: json(ConsentRecord), ...errorResponses(400, 401, 404) },
  }),
  withdraw: createRoute({
    method: 'delete',
    path: '/me/children/{id}/consent',
    tags: ['consent'],
    summary: "Withdraw consent for a child: the withdrawal is recorded and the child's data is deleted",
    middleware: [user] as const,
    request: { params: IdParam },
    responses: { 200: json(z.object({ withdrawnAt: z.string() })), ...errorResponses(401, 403, 404) },
  }),
};

export const consentRoutes = createRouter()
  .openapi(r.privacy, (c) =>
    c.json(
      {
        versions: { ...CONSENT_VERSIONS },
        childAssessment: {
          ...CHILD_ASSESSMENT_DATA,
          stored: [...CHILD_ASSESSMENT_DATA.stored],
          seenBy: [...CHILD_ASSESSMENT_DATA.seenBy],
          notSeenBy: [...CHILD_ASSESSMENT_DATA.notSeenBy],
        },
      },
      200,
      { 'Cache-Control': 'public, max-age=300' },
    ),
  )
  .openapi(r.mine, async (c) => c.json({ items: await myConsents(ctxOf(c), c.var.actor) }, 200, NO_STORE))
  .openapi(r.give, async (c) =>
    c.json(await giveChildConsent(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json').version), 200, NO_STORE),
  )
  .openapi(r.withdraw, async (c) => c.json(await withdrawChildConsent(ctxOf(c), c.var.actor, c.req.valid('param').id), 200, NO_STORE));
