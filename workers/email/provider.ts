/**
 * The email boundary. Every message the platform sends goes through `EmailProvider`; which
 * one is chosen by EMAIL_PROVIDER:
 * - `dev` (local and tests): the dev mailbox — messages are stored in Postgres (`dev_mail`)
 *   and readable at /dev/mail; nothing leaves the machine. Refused in production.
 * - `resend`: Resend's transactional HTTP API (./resend.ts). Chosen because it is one JSON
 *   POST with a bearer key (no SDK, runs unchanged in workerd), takes an Idempotency-Key so a
 *   retried send is not delivered twice, and has an EU region for personal data. Cloudflare
 *   Email Service would avoid a third party, but it was still in beta and its binding cannot
 *   be exercised offline; Postmark has the same shape and would plug in the same way.
 */
import type { Ctx } from '../lib/context.ts';
import { devMailbox } from './dev-mailbox.ts';
import { resendProvider } from './resend.ts';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Template name, kept by the dev mailbox and sent as a tag to the provider. */
  kind: string;
  /** Same key for the same logical message: a retried send is delivered once. */
  idempotencyKey: string;
}

export interface EmailProvider {
  readonly name: string;
  send(message: EmailMessage): Promise<void>;
}

export function emailProviderFor(ctx: Ctx): EmailProvider {
  return ctx.config.EMAIL_PROVIDER === 'resend' ? resendProvider(ctx.config) : devMailbox(ctx);
}
