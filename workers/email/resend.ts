import type { Config } from '../env.ts';
import { AppError } from '../lib/errors.ts';
import { withTimeout } from '../lib/timeout.ts';
import type { EmailMessage, EmailProvider } from './provider.ts';

const ENDPOINT = 'https://api.resend.com/emails';
const TIMEOUT_MS = 10_000;

/** Resend (https://resend.com/docs/api-reference/emails/send-email): one POST per message. */
export function resendProvider(config: Pick<Config, 'EMAIL_API_KEY' | 'EMAIL_FROM'>, fetcher: typeof fetch = fetch): EmailProvider {
  return {
    name: 'resend',
    async send(message: EmailMessage) {
      if (!config.EMAIL_API_KEY || !config.EMAIL_FROM) {
        throw new AppError('service_unavailable', 'Email is not configured', { missing: 'EMAIL_API_KEY / EMAIL_FROM' });
      }
      const res = await withTimeout(
        fetcher(ENDPOINT, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${config.EMAIL_API_KEY}`,
            'content-type': 'application/json',
            'idempotency-key': message.idempotencyKey,
          },
          body: JSON.stringify({
            from: config.EMAIL_FROM,
            to: [message.to],
            subject: message.subject,
            text: message.text,
            html: message.html,
            tags: [{ name: 'kind', value: message.kind }],
          }),
        }),
        TIMEOUT_MS,
        'email provider',
      );
      if (!res.ok) {
        const body = (await res.text()).slice(0, 300);
        throw new Error(`Resend answered ${res.status}: ${body}`);
      }
    },
  };
}
