/**
 * Sends email through SES (locally, the SES emulator): one message to all recipients, plain-text and HTML parts.
 * It uses the SES v2 API, AWS's current one; the emulator's v1 SendEmail also keeps only the first recipient.
 */
import { headerSafe } from '../domain/html.ts';
import type { Mailer, OutgoingEmail } from '../usecases/ports.ts';
import { redactAddresses } from '../domain/redact.ts';
import { sesV2Client } from './aws.ts';

export class SesMailer implements Mailer {
  constructor(private readonly sender: string, private readonly senderName: string) {}

  async send(email: OutgoingEmail): Promise<string> {
    // A display name cannot carry quotes or line breaks into the From header.
    const name = headerSafe(this.senderName).replace(/["\\<>]/g, '');
    // The SES package is loaded on the first email (functions/adapters/aws.ts).
    const [{ SendEmailCommand }, client] = await Promise.all([import('@aws-sdk/client-sesv2'), sesV2Client()]);
    const out = await client.send(new SendEmailCommand({
      FromEmailAddress: `"${name}" <${this.sender}>`,
      Destination: { ToAddresses: email.to },
      Content: {
        Simple: {
          Subject: { Data: headerSafe(email.subject), Charset: 'UTF-8' },
          Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
        },
      },
    })).catch((err: unknown) => {
      throw withoutAddresses(err);
    });
    return out.MessageId ?? '';
  }
}

/**
 * An SES error with the addresses taken out of its message and stack: a rejection lists the recipients it refused
 * ("... failed the check in region EU-WEST-2: someone@school.sch.uk"), and an error that leaves a function is logged
 * whole by Lambda (and kept in the dead-letter record). The same error object, so its type and code still say what
 * went wrong and whether to retry.
 */
function withoutAddresses(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  err.message = redactAddresses(err.message);
  if (typeof err.stack === 'string') err.stack = redactAddresses(err.stack);
  return err;
}
