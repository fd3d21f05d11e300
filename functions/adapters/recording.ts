/** A mailer and a publisher that keep what they are given instead of sending it: for dry runs and tests. */
import type { Mailer, OutgoingEmail, Publisher } from '../usecases/ports.ts';

export class RecordingMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  /** Addresses whose email fails, as SES would refuse it (tests of failure paths). */
  failFor = new Set<string>();

  async send(email: OutgoingEmail): Promise<string> {
    const refused = email.to.find((to) => this.failFor.has(to));
    if (refused) throw new Error('Email address is not verified');
    this.sent.push(structuredClone(email));
    return `recorded-${this.sent.length}`;
  }
}

export class RecordingPublisher implements Publisher {
  readonly events: Array<{ detailType: string; detail: Record<string, unknown> }> = [];

  async publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
    this.events.push({ detailType, detail: structuredClone(detail) });
  }
}
