/** Shared fixtures for the rendering tests: Rachel Hughes's transfer task on Oakfield's PE Instagram. */
import type { AccountView } from '../../functions/domain/emails.ts';
import type { Task } from '../../functions/domain/tasks.ts';

export const manager = 'jo.manager@oakfield.sch.uk';
export const itManager = 'it@oakfield.sch.uk';

export function task(overrides: Partial<Task> = {}): Task {
  return {
    id: 'Tk7xQ2mP9aBcDeFg',
    type: 'transfer_or_close',
    status: 'open',
    subjectEmail: 'rachel.hughes@oakfield.sch.uk',
    subjectName: 'Rachel Hughes',
    accountId: 'instagram:oakfield_pe',
    platform: 'instagram',
    handle: 'oakfield_pe',
    school: 'oakfield',
    dueDate: '2026-12-18',
    assignees: [manager, itManager],
    reason: 'Rachel Hughes is leaving and the account is registered to their email address.',
    eventDate: '2026-12-18',
    sourceEvent: 'evt-1',
    sourceTime: '2026-12-01T09:00:00.000Z',
    createdAt: '2026-12-01T09:00:00.000Z',
    updatedAt: '2026-12-01T09:00:00.000Z',
    version: 1,
    delivery: { kind: 'created', state: 'pending' },
    remindersSent: 0,
    ...overrides,
  };
}

export const account: AccountView = {
  platform: 'instagram',
  handle: 'oakfield_pe',
  url: 'https://www.instagram.com/oakfield_pe/',
  schoolName: 'Oakfield Academy',
  linkedEmail: 'rachel.hughes@oakfield.sch.uk',
  admins: ['sam.admin@oakfield.sch.uk'],
};
