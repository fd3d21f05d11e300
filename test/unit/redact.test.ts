/**
 * Error messages are logged without addresses (functions/domain/redact.ts, through `safeError` in the logger):
 * whatever looks like an email address becomes `<address>`, and the rest of the message is kept.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactAddresses, safeErrorMessage } from '../../functions/domain/redact.ts';
import { safeError } from '../../functions/adapters/logger.ts';

/** The log-privacy test's notion of an address (test/integration/log-privacy.test.ts). */
const EMAIL = /[^\s@]+@[^\s@]+\.[a-z]{2,}/i;

describe('redactAddresses', () => {
  it('takes every recipient out of an SES rejection and keeps the rest of the message', () => {
    const ses = 'Email address is not verified. The following identities failed the check in region EU-WEST-2: someone@school.sch.uk, R.Hughes@Oakfield.sch.uk;d.okafor+social@oakfield.sch.uk';
    expect(redactAddresses(ses)).toBe('Email address is not verified. The following identities failed the check in region EU-WEST-2: <address>, <address>;<address>');
  });

  it('finds addresses in brackets, quotes, URLs and URL-encoded, and leaves handles after a space and plain text alone', () => {
    expect(redactAddresses('To: "Rachel" <r.hughes@oakfield.sch.uk> (cc \'it@oakfield.sch.uk\')')).toBe('To: "Rachel" <<address>> (cc \'<address>\')');
    expect(redactAddresses('Graph GET https://graph.microsoft.com/v1.0/users/r.hughes%40oakfield.sch.uk?$select=id failed: HTTP 404'))
      .toBe('Graph GET https://graph.microsoft.com/v1.0/users/<address>?$select=id failed: HTTP 404');
    expect(redactAddresses('Sent to e.thompson@riverside.sch.uk.')).toBe('Sent to <address>.');
    expect(redactAddresses('instagram:oakfield_pe (handle @oakfield_pe) has 1 administrator; due 07:00 @ noon')).toBe('instagram:oakfield_pe (handle @oakfield_pe) has 1 administrator; due 07:00 @ noon');
    // An @ between two printable characters never survives, whatever they are: `a@b@c.uk` is not half kept.
    expect(redactAddresses('a@b@c.uk and &@a.aa')).not.toMatch(/\S@\S/);
  });

  it('leaves nothing the log-privacy test would call an address, whatever surrounds it', () => {
    const around = fc.string({ unit: 'grapheme', maxLength: 12 });
    fc.assert(fc.property(fc.array(fc.tuple(around, fc.emailAddress(), around), { minLength: 1, maxLength: 4 }), (parts) => {
      const text = parts.map(([a, e, b]) => `${a}${e}${b}`).join(' ');
      expect(redactAddresses(text), text).not.toMatch(EMAIL);
    }), { numRuns: 300 });
  });
});

describe('safeError', () => {
  it('is the message of what was thrown, without addresses', () => {
    expect(safeError(new Error('refused: a@b.uk'))).toBe('refused: <address>');
    expect(safeErrorMessage('a@b.uk')).toBe('<address>');
    expect(safeError({ toString: () => 'x@y.org failed' })).toBe('<address> failed');
    expect(safeError(Object.create(null))).toBe('unprintable error');
  });
});
