import type { Language } from '../../db/schema/index.ts';
import type { Ctx } from '../lib/context.ts';
import { errorFields } from '../lib/logger.ts';
import { emailProviderFor } from './provider.ts';
import { renderEmail, type EmailKind } from './templates.ts';

export interface OutgoingEmail {
  kind: EmailKind;
  to: string;
  language: Language;
  name: string;
  link: string;
  idempotencyKey: string;
}

/**
 * Sends after the response (ctx.defer): the user's request never waits for, or fails with,
 * the provider. A failed send is logged (without the link, which carries a secret) and the
 * user can ask again; the same idempotency key keeps a provider-side retry from duplicating.
 */
export function sendEmailLater(ctx: Ctx, email: OutgoingEmail): void {
  const rendered = renderEmail(email.kind, email.language, { name: email.name, link: email.link });
  const provider = emailProviderFor(ctx);
  ctx.defer(
    provider
      .send({ to: email.to, kind: email.kind, idempotencyKey: email.idempotencyKey, ...rendered })
      .catch((err: unknown) => ctx.log.error('email not sent', { kind: email.kind, provider: provider.name, ...errorFields(err) })),
  );
}
