/**
 * What the audit keeps of a task's free text (README "Data and retention"), and what a closed task keeps of its
 * subject once their retention period has started: the pure rules in functions/domain/audit.ts and retention.ts.
 */
import { describe, expect, it } from 'vitest';
import { effectOf, REDACTED } from '../../functions/domain/audit.ts';
import { REASON_NOT_KEPT, withoutNames, withoutPersonalData } from '../../functions/domain/retention.ts';
import type { Resolution, Task } from '../../functions/domain/tasks.ts';

const AT = '2026-12-02T09:00:00.000Z';
const task = (over: Partial<Task> = {}): Task => ({
  id: 't1', type: 'transfer_or_close', status: 'open', subjectEmail: 'r.hughes@oakfield.sch.uk', subjectName: 'Rachel Hughes',
  accountId: 'instagram:oakfield_pe', platform: 'instagram', handle: 'oakfield_pe', school: 'oakfield', dueDate: '2027-01-29',
  assignees: ['d.okafor@oakfield.sch.uk', 'it@oakfield.sch.uk'], lineManager: 'd.okafor@oakfield.sch.uk',
  reason: "Instagram @oakfield_pe is registered to Rachel Hughes's email address, and Rachel Hughes is leaving",
  eventDate: '2027-01-29', sourceEvent: 'evt-1', sourceTime: AT, createdAt: AT, updatedAt: AT, version: 1,
  delivery: { kind: 'created', state: 'sent', sentAt: AT }, remindersSent: 0, ...over,
});
const resolved = (resolution: Resolution, over: Partial<Task> = {}) => task({ status: 'done', resolution, version: 2, ...over });
const audited = (before: Task, after: Task) => {
  const effect = effectOf('task', before, after);
  if (effect.kind !== 'audited') throw new Error(`expected an audited change, got ${effect.kind}`);
  return effect;
};

describe('the audit of a task decision', () => {
  it('records that a "keep" decision had a reason, not the reason', () => {
    const effect = audited(task(), resolved({ action: 'keep', reason: 'Rachel Hughes still runs it from home', by: 'it@oakfield.sch.uk', at: AT }));
    expect(effect.after).toEqual({ status: 'done', resolution: { action: 'keep', reason: REDACTED, by: 'it@oakfield.sch.uk', at: AT } });
    expect(JSON.stringify(effect)).not.toContain('still runs it');
  });

  it('a closure request without a note records no reason; with one, that there was one', () => {
    const without = audited(task({ type: 'attest_account' }), resolved({ action: 'request_closure', by: 'm.clarke@oakfield.sch.uk', at: AT }, { type: 'attest_account' }));
    expect(without.after?.resolution).toEqual({ action: 'request_closure', by: 'm.clarke@oakfield.sch.uk', at: AT });
    const withNote = audited(task({ type: 'attest_account' }), resolved({ action: 'request_closure', reason: 'club folded', by: 'm.clarke@oakfield.sch.uk', at: AT }, { type: 'attest_account' }));
    expect(withNote.after?.resolution).toEqual({ action: 'request_closure', reason: REDACTED, by: 'm.clarke@oakfield.sch.uk', at: AT });
  });

  it('a cancellation\'s reason is not kept either (it may name the person), on either side of a change', () => {
    const cancelled = task({ status: 'cancelled', resolution: { action: 'cancelled', reason: 'Rachel Hughes has joined again', by: 'system:hr', at: AT }, version: 2 });
    const reopened = task({ version: 3 });
    const effect = audited(cancelled, reopened);
    expect(effect.before?.resolution).toEqual({ action: 'cancelled', reason: REDACTED, by: 'system:hr', at: AT });
    expect(JSON.stringify(effect)).not.toContain('Rachel');
  });

  it('keeps what was decided, by whom and when, and a transfer\'s new address: register facts', () => {
    const effect = audited(task(), resolved({ action: 'transfer', to: 's.ahmed@oakfield.sch.uk', by: 'd.okafor@oakfield.sch.uk', at: AT }));
    expect(effect.after?.resolution).toEqual({ action: 'transfer', to: 's.ahmed@oakfield.sch.uk', by: 'd.okafor@oakfield.sch.uk', at: AT });
  });

  it('other records\' fields called "resolution" or "reason" are not a task\'s and are left alone', () => {
    const effect = effectOf('account', { id: 'a', purpose: 'x' }, { id: 'a', purpose: 'PE news for Rachel Hughes\'s class' });
    expect(effect).toMatchObject({ kind: 'audited', after: { purpose: 'PE news for Rachel Hughes\'s class' } });
  });
});

describe('a closed task once its subject\'s retention period has started', () => {
  it('loses the name, keeps a reason that reads as if no name had been given, and keeps the decision', () => {
    const done = resolved({ action: 'transfer', to: 's.ahmed@oakfield.sch.uk', by: 'd.okafor@oakfield.sch.uk', at: AT });
    const reduced = withoutPersonalData(done, [])!;
    expect(reduced).not.toHaveProperty('subjectName');
    expect(reduced.reason).toBe("Instagram @oakfield_pe is registered to r.hughes@oakfield.sch.uk's email address, and r.hughes@oakfield.sch.uk is leaving");
    expect(reduced.resolution).toEqual(done.resolution);
    const { subjectName: _n, reason: _r, ...unchanged } = done;
    expect(reduced).toMatchObject(unchanged);
  });

  it('replaces what people wrote when deciding with a marker', () => {
    expect(withoutPersonalData(resolved({ action: 'keep', reason: 'Her partner runs it', by: 'it@oakfield.sch.uk', at: AT }), [])!.resolution)
      .toEqual({ action: 'keep', reason: REASON_NOT_KEPT, by: 'it@oakfield.sch.uk', at: AT });
    expect(withoutPersonalData(resolved({ action: 'request_closure', reason: 'not used', by: 'm@x.org', at: AT }), [])!.resolution)
      .toEqual({ action: 'request_closure', reason: REASON_NOT_KEPT, by: 'm@x.org', at: AT });
  });

  it('keeps Custodian\'s own cancellation reasons, without the name', () => {
    const cancelled = task({ status: 'cancelled', resolution: { action: 'cancelled', reason: 'Rachel Hughes has joined again', by: 'system:hr', at: AT } });
    expect(withoutPersonalData(cancelled, [])!.resolution).toMatchObject({ reason: 'r.hughes@oakfield.sch.uk has joined again' });
    const moot = task({ status: 'cancelled', resolution: { action: 'cancelled', reason: 'the account was closed', by: 'it@oakfield.sch.uk', at: AT } });
    expect(withoutPersonalData(moot, [])!.resolution).toMatchObject({ reason: 'the account was closed' });
  });

  it('removes every name the person is known by, in any case, as whole words only', () => {
    const t = resolved({ action: 'close', by: 'it@oakfield.sch.uk', at: AT, closedOn: '2026-12-02' }, {
      subjectName: 'Rachel Hughes', reason: 'rachel hughes was an administrator; Rachel Smith-Hughes too; Rachelle stays',
    });
    expect(withoutPersonalData(t, ['Rachel Smith-Hughes'])!.reason).toBe('r.hughes@oakfield.sch.uk was an administrator; r.hughes@oakfield.sch.uk too; Rachelle stays');
    expect(withoutNames('Jo left; Jones stays', ['Jo'], 'x')).toBe('x left; Jones stays');
    expect(withoutNames('a.b+c (d) left', ['a.b+c (d)'], 'x')).toBe('x left');
  });

  it('leaves an open task alone, and a task already reduced (so a second run changes nothing)', () => {
    expect(withoutPersonalData(task(), [])).toBeUndefined();
    const once = withoutPersonalData(resolved({ action: 'keep', reason: 'reasons', by: 'it@oakfield.sch.uk', at: AT }), ['Rachel Hughes'])!;
    expect(withoutPersonalData(once, ['Rachel Hughes'])).toBeUndefined();
  });

  it('a task with no name and no free text has nothing to reduce', () => {
    const t = resolved({ action: 'close', by: 'it@oakfield.sch.uk', at: AT, closedOn: '2026-12-02' }, { subjectName: undefined, reason: 'Instagram @x is registered to r@x.org' });
    expect(withoutPersonalData(t, [])).toBeUndefined();
  });
});
