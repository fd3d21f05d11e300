import { describe, expect, it } from 'vitest';
import { diffFields } from '../../functions/domain/audit.ts';
import { accountId, findingsFor, parseDate, parsePlatform, type AccountFields } from '../../functions/domain/model.ts';
import { applyRow, changedFields } from '../../functions/domain/register.ts';

const school = { id: 'oakfield', name: 'Oakfield Academy', itManagers: ['it@oakfield.sch.uk'], domains: ['oakfield.sch.uk'] };
const row: AccountFields = {
  platform: 'facebook', handle: 'OakfieldAcademy', school: 'oakfield', linkedEmail: 'office@oakfield.sch.uk',
  admins: ['a@oakfield.sch.uk', 'b@oakfield.sch.uk'], mainSupervisor: 'head@oakfield.sch.uk', monitoringFrequency: 'weekly',
};

describe('identity and values', () => {
  it('identifies an account by platform and handle, case-insensitively, without a leading @', () => {
    expect(accountId('instagram', '@Oakfield_PE')).toBe(accountId('instagram', 'oakfield_pe'));
    expect(parsePlatform('Twitter')).toBe('x');
    expect(parsePlatform('MySpace')).toBeUndefined();
  });

  it('reads ISO and UK dates and refuses impossible ones', () => {
    expect(parseDate('2026-12-18')).toBe('2026-12-18');
    expect(parseDate('18/12/2026')).toBe('2026-12-18');
    expect(parseDate('29/02/2028')).toBe('2028-02-29');
    for (const bad of ['31/02/2026', '2026-13-01', '29/02/2027', '12/18/2026', '2026-1-1', 'tomorrow']) expect(parseDate(bad)).toBeUndefined();
  });
});

describe('findings', () => {
  it('flags fewer than two administrators and a linked email off the school domains', () => {
    expect(findingsFor(row, school)).toEqual([]);
    const risky = findingsFor({ ...row, admins: ['a@oakfield.sch.uk'], linkedEmail: 'someone@gmail.com' }, school);
    expect(risky.map((f) => f.code)).toEqual(['fewer_than_two_admins', 'linked_email_off_domain']);
    expect(risky[0]!.message).toContain('1 administrator;');
  });
});

describe('applying a row', () => {
  it('creates an active account, then keeps its status and bumps its version on update', () => {
    const created = applyRow(undefined, row, '2026-11-01T00:00:00.000Z');
    expect(created).toMatchObject({ id: 'facebook:oakfieldacademy', status: 'active', version: 1 });
    const pending = { ...created, status: 'transfer_pending' as const };
    const updated = applyRow(pending, { ...row, purpose: 'News' }, '2026-11-02T00:00:00.000Z');
    expect(updated).toMatchObject({ status: 'transfer_pending', version: 2, purpose: 'News', createdAt: created.createdAt });
  });

  it('an optional column left empty clears the field', () => {
    const created = applyRow(undefined, { ...row, reserveSupervisor: 'r@oakfield.sch.uk' }, 'now');
    expect(changedFields(created, row)).toEqual(['reserveSupervisor']);
    expect(applyRow(created, row, 'later').reserveSupervisor).toBeUndefined();
  });
});

describe('audit diffs', () => {
  it('keeps only the changed fields on each side and ignores bookkeeping', () => {
    expect(diffFields({ a: 1, b: [1], version: 1 }, { a: 1, b: [1, 2], version: 2 })).toEqual({ before: { b: [1] }, after: { b: [1, 2] }, changed: ['b'] });
    expect(diffFields(undefined, { a: 1 })).toEqual({ before: undefined, after: { a: 1 }, changed: ['a'] });
    expect(diffFields({ a: 1 }, { a: 1 }).changed).toEqual([]);
  });
});
