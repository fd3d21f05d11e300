import { describe, expect, it } from 'vitest';
import { TASK_TYPES, type Platform } from '../../functions/domain/model.ts';
import { accountLabel, actionsFor, assigneesFor, leaverDueDate, PLATFORM_NAMES, taskId } from '../../functions/domain/tasks.ts';
import { isWorkingDay } from '../../functions/domain/working-days.ts';

describe('taskId', () => {
  it('is deterministic', () => {
    expect(taskId('transfer_or_close', 'facebook:oak', 'jo@oak.sch.uk')).toBe(taskId('transfer_or_close', 'facebook:oak', 'jo@oak.sch.uk'));
  });

  it('is 16 characters of letters and digits (no - or _), safe in URLs and keys', () => {
    for (const type of TASK_TYPES) {
      expect(taskId(type, 'x:handle', 'a@b.sch.uk')).toMatch(/^[A-Za-z0-9]{16}$/);
    }
  });

  it('differs by type, subject and email', () => {
    const ids = new Set<string>();
    for (const type of TASK_TYPES) {
      for (const subject of ['facebook:oak', 'facebook:elm', 'facebook:oak#main_supervisor', 'facebook:oak#reserve_supervisor', 'policy']) {
        for (const email of ['jo@oak.sch.uk', 'jbloggs@oak.sch.uk', 'sam@oak.sch.uk']) ids.add(taskId(type, subject, email));
      }
    }
    expect(ids.size).toBe(TASK_TYPES.length * 5 * 3);
  });

  it('does not confuse fields that run together', () => {
    // Without a separator, ('ab', 'c') and ('a', 'bc') would hash alike.
    expect(taskId('replace_admin', 'x:ab', 'c@d.uk')).not.toBe(taskId('replace_admin', 'x:a', 'bc@d.uk'));
    expect(taskId('replace_admin', 'x:a', 'b')).not.toBe(taskId('replace_admin', 'x:ab', ''));
  });

  it('is case-sensitive on the address (callers normalise first)', () => {
    expect(taskId('transfer_or_close', 'x:a', 'Jo@oak.sch.uk')).not.toBe(taskId('transfer_or_close', 'x:a', 'jo@oak.sch.uk'));
  });
});

describe('leaverDueDate', () => {
  const today = '2026-12-01'; // a Tuesday

  it('is the leave date when it is a working day in the future', () => {
    expect(leaverDueDate('2026-12-18', today)).toBe('2026-12-18');
    expect(leaverDueDate('2027-01-04', today)).toBe('2027-01-04');
    expect(leaverDueDate('2026-12-02', today)).toBe('2026-12-02');
  });

  it('is the Friday before when the leave date is a weekend', () => {
    expect(leaverDueDate('2026-12-19', today)).toBe('2026-12-18'); // Saturday
    expect(leaverDueDate('2026-12-20', today)).toBe('2026-12-18'); // Sunday
  });

  it('is the working day before when the leave date is a bank holiday', () => {
    expect(leaverDueDate('2026-12-25', today)).toBe('2026-12-24');
    expect(leaverDueDate('2026-12-28', today)).toBe('2026-12-24'); // Boxing Day substitute
    expect(leaverDueDate('2027-01-01', today)).toBe('2026-12-31');
    expect(leaverDueDate('2027-03-29', today)).toBe('2027-03-25'); // Easter Monday → Maundy Thursday
    expect(leaverDueDate('2027-05-31', today)).toBe('2027-05-28'); // Spring bank holiday → Friday
    expect(leaverDueDate('2027-08-30', today)).toBe('2027-08-27'); // Summer bank holiday → Friday
  });

  it('is today when the leave date is today', () => {
    expect(leaverDueDate(today, today)).toBe(today);
    expect(leaverDueDate('2026-12-24', '2026-12-24')).toBe('2026-12-24');
  });

  it('is never before today when the leave date is a future non-working day whose working day before has passed', () => {
    // Today Friday, leaving on Saturday: the working day before is today.
    expect(leaverDueDate('2026-12-19', '2026-12-18')).toBe('2026-12-18');
    // Today Saturday, leaving on Sunday: the working day before (Friday) has passed.
    expect(leaverDueDate('2026-12-20', '2026-12-19') >= '2026-12-19').toBe(true);
  });

  it('is two working days from today when the leave date has passed', () => {
    expect(leaverDueDate('2026-11-27', today)).toBe('2026-12-03');
    expect(leaverDueDate('2026-11-30', today)).toBe('2026-12-03'); // yesterday
  });

  it('counts the two working days across a weekend', () => {
    expect(leaverDueDate('2026-12-04', '2026-12-10')).toBe('2026-12-14'); // Thursday → Monday
    expect(leaverDueDate('2026-12-04', '2026-12-11')).toBe('2026-12-15'); // Friday → Tuesday
  });

  it('counts the two working days across Christmas 2026', () => {
    expect(leaverDueDate('2026-12-18', '2026-12-23')).toBe('2026-12-29'); // 24, (25–28), 29
    expect(leaverDueDate('2026-12-18', '2026-12-24')).toBe('2026-12-30'); // (25–28), 29, 30
    expect(leaverDueDate('2026-12-18', '2026-12-31')).toBe('2027-01-05'); // (1–3), 4, 5
  });

  it('is always a working day on or after today for a working-day today', () => {
    for (const t of ['2026-12-01', '2026-12-18', '2026-12-24', '2026-12-31']) {
      for (const leave of ['2026-11-01', '2026-12-18', '2026-12-19', '2026-12-25', '2026-12-28', '2027-01-01', '2027-03-26']) {
        const due = leaverDueDate(leave, t);
        expect(due >= t, `${leave} / ${t}`).toBe(true);
        expect(isWorkingDay(due), `${leave} / ${t}`).toBe(true);
      }
    }
  });

  it('counts two working days from a weekend today as Monday and Tuesday', () => {
    expect(leaverDueDate('2026-12-11', '2026-12-19')).toBe('2026-12-22');
    expect(leaverDueDate('2026-12-11', '2026-12-25')).toBe('2026-12-30'); // Christmas Day today → 29, 30
  });
});

describe('assigneesFor', () => {
  const trust = 'it@trust.org.uk';
  const leaver = ['jo@oak.sch.uk', 'jbloggs@oak.sch.uk'];

  it('asks the line manager and the school IT managers, line manager first', () => {
    expect(assigneesFor({ lineManager: 'head@oak.sch.uk', schoolItManagers: ['it1@oak.sch.uk', 'it2@oak.sch.uk'], trustItContact: trust, exclude: leaver }))
      .toEqual(['head@oak.sch.uk', 'it1@oak.sch.uk', 'it2@oak.sch.uk']);
  });

  it('adds the trust IT contact when the line manager is unknown', () => {
    expect(assigneesFor({ schoolItManagers: ['it1@oak.sch.uk'], trustItContact: trust, exclude: leaver })).toEqual(['it1@oak.sch.uk', trust]);
    expect(assigneesFor({ lineManager: '', schoolItManagers: ['it1@oak.sch.uk'], trustItContact: trust, exclude: leaver })).toEqual(['it1@oak.sch.uk', trust]);
  });

  it('adds the trust IT contact when the school has no IT managers', () => {
    expect(assigneesFor({ lineManager: 'head@oak.sch.uk', schoolItManagers: [], trustItContact: trust, exclude: leaver })).toEqual(['head@oak.sch.uk', trust]);
  });

  it('falls back to the trust IT contact alone when neither is known', () => {
    expect(assigneesFor({ schoolItManagers: [], trustItContact: trust, exclude: [] })).toEqual([trust]);
  });

  it('never asks the leaver, even as the school IT manager', () => {
    expect(assigneesFor({ lineManager: 'head@oak.sch.uk', schoolItManagers: ['jo@oak.sch.uk', 'it2@oak.sch.uk'], trustItContact: trust, exclude: leaver }))
      .toEqual(['head@oak.sch.uk', 'it2@oak.sch.uk']);
    // The leaver was the only IT manager: the trust contact stands in.
    expect(assigneesFor({ lineManager: 'head@oak.sch.uk', schoolItManagers: ['jbloggs@oak.sch.uk'], trustItContact: trust, exclude: leaver }))
      .toEqual(['head@oak.sch.uk', trust]);
  });

  it('never asks the leaver, even as their own line manager (by any alias)', () => {
    expect(assigneesFor({ lineManager: 'jbloggs@oak.sch.uk', schoolItManagers: ['it1@oak.sch.uk'], trustItContact: trust, exclude: leaver }))
      .toEqual(['it1@oak.sch.uk', trust]);
    expect(assigneesFor({ lineManager: 'jo@oak.sch.uk', schoolItManagers: ['jo@oak.sch.uk'], trustItContact: trust, exclude: leaver })).toEqual([trust]);
  });

  it('removes duplicates, keeping the first position', () => {
    expect(assigneesFor({ lineManager: 'it1@oak.sch.uk', schoolItManagers: ['it1@oak.sch.uk', 'it2@oak.sch.uk', 'it2@oak.sch.uk'], trustItContact: trust, exclude: leaver }))
      .toEqual(['it1@oak.sch.uk', 'it2@oak.sch.uk']);
    expect(assigneesFor({ schoolItManagers: [trust], trustItContact: trust, exclude: leaver })).toEqual([trust]);
    expect(assigneesFor({ lineManager: trust, schoolItManagers: [], trustItContact: trust, exclude: leaver })).toEqual([trust]);
  });

  it('does not modify its inputs', () => {
    const managers = ['it1@oak.sch.uk', 'jo@oak.sch.uk'];
    const exclude = [...leaver];
    assigneesFor({ lineManager: 'head@oak.sch.uk', schoolItManagers: managers, trustItContact: trust, exclude });
    expect(managers).toEqual(['it1@oak.sch.uk', 'jo@oak.sch.uk']);
    expect(exclude).toEqual(leaver);
  });
});

describe('accountLabel', () => {
  it('names the platform and the handle with an @', () => {
    expect(accountLabel({ platform: 'facebook', handle: 'OakPrimary' })).toBe('Facebook @OakPrimary');
    expect(accountLabel({ platform: 'x', handle: 'oak_primary' })).toBe('X @oak_primary');
    expect(accountLabel({ platform: 'youtube', handle: 'OakTV' })).toBe('YouTube @OakTV');
    expect(accountLabel({ platform: 'tiktok', handle: 'oak' })).toBe('TikTok @oak');
    expect(accountLabel({ platform: 'linkedin', handle: 'oak' })).toBe('LinkedIn @oak');
    expect(accountLabel({ platform: 'whatsapp', handle: 'oak' })).toBe('WhatsApp @oak');
    expect(accountLabel({ platform: 'other', handle: 'oak' })).toBe('Account @oak');
  });

  it('leaves the @ off blogs and websites, with a single space', () => {
    expect(accountLabel({ platform: 'blog', handle: 'oak.blogspot.com' })).toBe('Blog oak.blogspot.com');
    expect(accountLabel({ platform: 'website', handle: 'www.oak.sch.uk' })).toBe('Website www.oak.sch.uk');
  });

  it('has a display name for every platform', () => {
    for (const platform of Object.keys(PLATFORM_NAMES)) {
      const label = accountLabel({ platform: platform as Platform, handle: 'h' });
      expect(label.startsWith(`${PLATFORM_NAMES[platform]} `)).toBe(true);
      expect(label).not.toContain('  ');
    }
  });

  it('falls back to the raw platform name for an unknown platform', () => {
    expect(accountLabel({ platform: 'mastodon' as Platform, handle: 'oak' })).toBe('mastodon @oak');
  });
});

describe('actionsFor', () => {
  it('offers transfer, close or keep for the leaver tasks', () => {
    for (const type of ['transfer_or_close', 'replace_admin', 'replace_supervisor'] as const) {
      expect(actionsFor(type)).toEqual(['transfer', 'close', 'keep']);
    }
  });

  it('offers acknowledge for the policy task', () => {
    expect(actionsFor('acknowledge_policy')).toEqual(['acknowledge']);
  });

  it("offers the sweep's tasks their own decisions", () => {
    expect(actionsFor('attest_account')).toEqual(['confirm', 'request_closure']);
    expect(actionsFor('planned_end')).toEqual(['extend', 'close']);
    expect(actionsFor('policy_review')).toEqual(['reviewed']);
  });

  it('offers at least one action for every task type', () => {
    for (const type of TASK_TYPES) expect(actionsFor(type).length).toBeGreaterThan(0);
  });
});
