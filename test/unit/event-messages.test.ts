/**
 * The reasons the event contracts give, word for word. events/ is written with zod/mini, which has no messages of
 * its own ("Invalid input" for everything) until the English locale is registered, as events/schemas.ts does: these
 * are the messages classic zod gave before the switch (checked then against 160,000 generated inputs), and what
 * HR systems, the dead-letter queue and `custodian dlq list` show people.
 */
import { describe, expect, it } from 'vitest';
import { parseGraphNotifications, parseGraphQueueMessage } from '../../events/graph.ts';
import { describeIssues, HrEvent, HrWebhookBody, parseActivityBusEvent, parsePutEventFile } from '../../events/schemas.ts';

const reason = (input: unknown) => {
  const r = HrEvent.safeParse(input);
  return r.success ? 'accepted' : describeIssues(r.error);
};

describe('HR event reasons', () => {
  it.each([
    [{ detailType: 'Staff Leaver', detail: { email: 'not an email' } }, 'detail.email: is not an email address; detail.leaveDate: is required'],
    [{ detailType: 'Staff Leaver', detail: { email: 'a@oakfield.sch.uk', leaveDate: '2027-02-30' } }, 'detail.leaveDate: must be a real date, YYYY-MM-DD'],
    [{ detailType: 'Staff Leaver', detail: { email: 'a@oakfield.sch.uk', leaveDate: '2027-02-01', displayName: 'x'.repeat(300) } }, 'detail.displayName: Too big: expected string to have <=256 characters'],
    [{ detailType: 'Staff Leaver', detail: { email: 'a@oakfield.sch.uk', leaveDate: '31/01/2027', school: 'a\u202eb', lineManagerEmail: null } },
      'detail.school: contains control or text-direction characters; detail.lineManagerEmail: Invalid input: expected string, received null'],
    [{ detailType: 'Staff Leaver', detail: { email: 'a@oakfield.sch.uk', leaveDate: '2027-02-01', occurredAt: '2027-01-01T10:00:00' } }, 'detail.occurredAt: Invalid ISO datetime'],
    [{ detailType: 'Staff Mover', detail: {} }, "detailType: Invalid discriminator value. Expected 'Staff Leaver' | 'Staff Joiner' | 'Staff Leaver Cancelled'"],
    [{ detailType: 'Staff Joiner', detail: [] }, 'detail: Invalid input: expected object, received array'],
  ])('%j -> %s', (input, expected) => {
    expect(reason(input)).toBe(expected);
  });

  it('normalises what it accepts: trimmed lower-case addresses, the date part of a timestamp', () => {
    expect(HrEvent.parse({ detailType: 'Staff Leaver', detail: { email: ' R.Hughes@OAKFIELD.sch.uk ', leaveDate: '2027-01-29T17:00:00Z', lineManagerEmail: 'D.Okafor@oakfield.sch.uk' } }))
      .toEqual({ detailType: 'Staff Leaver', detail: { email: 'r.hughes@oakfield.sch.uk', leaveDate: '2027-01-29', lineManagerEmail: 'd.okafor@oakfield.sch.uk' } });
  });

  it('the webhook envelope names the accepted detail types', () => {
    const r = HrWebhookBody.safeParse({ detailType: 'x' });
    expect(r.success ? [] : r.error.issues.map((i) => i.message)).toEqual(['Invalid option: expected one of "Staff Leaver"|"Staff Joiner"|"Staff Leaver Cancelled"', 'is required']);
  });
});

describe('other contracts', () => {
  it('Account Activity', () => {
    expect(parseActivityBusEvent({ source: 'x', detail: { platform: ' ', handle: 'x'.repeat(257), at: 'yesterday' } }, ['x'])).toEqual({
      ok: false, reason: 'platform: Too small: expected string to have >=1 characters; handle: Too big: expected string to have <=256 characters; at: Invalid ISO datetime',
    });
  });

  it('PutEvents files', () => {
    expect(parsePutEventFile([])).toEqual({ ok: false, reason: '(root): Too small: expected array to have >=1 items' });
    expect(parsePutEventFile({ Source: '', DetailType: 'Staff Leaver', Detail: 5 })).toEqual({ ok: false, reason: 'Source: Too small: expected string to have >=1 characters; Detail: Invalid input' });
  });

  it('Graph notifications and queue messages', () => {
    expect(parseGraphNotifications('change', { value: [{ subscriptionId: 's', changeType: 'moved', resource: 'users/1' }] }))
      .toEqual({ ok: false, reason: 'value.0.changeType: Invalid option: expected one of "created"|"updated"|"deleted"' });
    expect(parseGraphNotifications('lifecycle', { value: [] })).toEqual({ ok: false, reason: 'value: Too small: expected array to have >=1 items' });
    expect(parseGraphQueueMessage(JSON.stringify({ kind: 'change', userId: '../x', changeType: 'updated', subscriptionId: 's1' })))
      .toEqual({ ok: false, reason: 'userId: Invalid string: must match pattern /^[A-Za-z0-9-]{1,64}$/' });
  });
});
