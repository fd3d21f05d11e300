/**
 * The web console's use cases (contracts section 8), below the HTTP layer: the handler in functions/console/ signs the
 * person in, turns their ID token's claims into a Viewer with `viewerFor`, calls one of these and renders the result
 * (HTML, or JSON that is the same array as the CLI's `--json`). Every rule about who may see and change what is
 * enforced here, not by hiding links: a read or change outside the viewer's role throws, and changes nothing.
 *
 * Errors the handler maps:
 * - Forbidden → 403 (outside the viewer's role, whatever id was asked for; also viewerFor for someone not on the trust);
 * - NotFound → 404 (said only to someone who could see the record if it existed);
 * - Invalid → 400 (a malformed filter); Stale → 409 (an import confirmed after its file or accounts changed);
 * - ResolveError (usecases/resolve.ts) and PolicyError (usecases/policies.ts) → as on the action pages and the CLI.
 * Form problems are results, not errors: `{ ok: false, errors }` with each field (a CSV column) or line and reason.
 *
 * Every change is committed with its audit entry in one transaction, as `{ by: viewer.email, source: 'console' }`.
 *
 * | screen | use case |
 * | --- | --- |
 * | sign-in | `viewerFor(deps, { email, name?, roles? }) → Viewer` |
 * | `GET /` | `homeFor(deps, viewer) → { tasks: TaskRow[], accounts: { account, roles }[] }` |
 * | `GET /register` | `registerFor(deps, viewer, { school?, status?, finding?, q? }) → RegisterEntry[]` (`register list --json`) |
 * | `GET /register/{id}` | `accountFor(deps, viewer, id) → { account, school, findings, openTasks, history, canChange }` |
 * | `POST /register/{id}` | `editAccount(deps, viewer, id, form, expectedVersion) → { ok, account, changed } \| { ok: false, errors }` |
 * | `POST /register/import` | `previewImport(deps, viewer, csv) → { ok, changes, digest, … }`, then `confirmImport(deps, viewer, csv, digest)` |
 * | `GET /tasks` | `tasksFor(deps, viewer, { status? }) → TaskRow[]` (`tasks list --json`) |
 * | `GET /tasks/{id}` | `taskFor(deps, viewer, id) → { task, account?, policy?, actions }` |
 * | `POST /tasks/{id}` | `decideTask(deps, viewer, id, decision) → Task` (resolveTask, as the viewer) |
 * | `GET /audit`, `/audit.csv` | `auditFor(deps, viewer, { account?, since? }) → AuditEntry[]` (`audit --json`), `auditCsv(…) → string` |
 * | `GET /policies` | `policiesFor(deps, viewer) → PolicyRow[]` (`policies list --json`); `recordPolicyReview(deps, viewer, id, nextReview?)` |
 * | `POST /requests` | `submitRequest(deps, { email: viewer.email, name: viewer.name }, form) → { ok, request } \| { ok: false, errors }` |
 * | `GET /requests` | `listRequestsFor(deps, viewer, { status? }) → RequestRow[]` |
 * | `GET /requests/{id}` | `requestFor(deps, viewer, id) → RequestProgress` (each step, who, decided or waiting; the set-up) |
 *
 * Roles: a trust administrator (`Custodian.Admin` in the token's `roles`, or listed in the `trustAdmins` setting, env
 * `TRUST_ADMINS`) sees and changes everything; a school's IT managers see and change its accounts, tasks and policies;
 * anyone else on a trust domain (a school's domain or the trust IT contact's) sees the accounts tied to them (linked
 * email, administrator, main or reserve supervisor, by mailbox across their aliases) and the tasks assigned to them,
 * and decides those tasks. Everyone may list the policies.
 */
export * from './viewer.ts';
export * from './rows.ts';
export * from './home.ts';
export * from './register.ts';
export * from './edit.ts';
export * from './import.ts';
export * from './tasks.ts';
export * from './audit.ts';
export * from './policies.ts';
export * from './requests.ts';
export { submitRequest, type Requester, type SubmitResult } from '../requests.ts';
export { decisionFromForm, type DecisionForm } from '../decision-form.ts';
// What the handler also needs to decide a task or record a review, and to map their refusals.
export { ResolveError, type Decision } from '../resolve.ts';
export { PolicyError } from '../policies.ts';
export type { ImportChange, ImportResult } from '../register.ts';
