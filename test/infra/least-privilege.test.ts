/**
 * Least privilege, from the template: each function's role may do exactly what its entry in infra/functions.ts
 * implies, on exactly the resources it names, plus exactly what CDK adds for its triggers; nothing else. The
 * expectations are derived from the registry, so a function added there is checked without touching this file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GRAPH_SOURCE } from '../../events/graph.ts';
import { CUSTODIAN_SOURCE } from '../../events/values.ts';
import { AUDIT_PREFIX, keys } from '../../functions/adapters/keys.ts';
import { SECURE_PARAMETER_TYPE } from '../../infra/constructs/secure-parameters.ts';
import { FUNCTIONS, SECRETS, type BusSource, type FunctionSpec, type QueueName, type SecretName } from '../../infra/functions.ts';
import { refTarget, resourcesOfType, synthTemplate, type Template } from '../../infra/local/template.ts';
import { testTemplate } from '../support/env.ts';
import { functionLogicalId, roleOf, statementsOf, type Statement } from '../support/template.ts';

const CUSTODIAN = (JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../cdk.json'), 'utf8')) as { context: { custodian: Record<string, unknown> } }).context.custodian;
const SENDER = CUSTODIAN.senderAddress as string;
const KEY_ARN = 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** The logical id of each secret's SecureString parameter, and the construct id prefix of each queue, the registry can name. */
const SECRET_IDS: Record<SecretName, string> = { links: 'LinkSigningSecret', hrWebhook: 'HrWebhookSecret', graph: 'GraphSecret', console: 'ConsoleSecret' };
const QUEUE_IDS: Record<QueueName, string> = { deadLetter: 'MessagingDeadLetter' };
/** The `events:source` values each kind of bus writer may use. */
const BUS_SOURCES: Record<BusSource, string[]> = { custodian: [CUSTODIAN_SOURCE], hr: CUSTODIAN.hrSources as string[], graph: [GRAPH_SOURCE] };

/** The ARN of a secret's parameter, as the template writes it. */
function parameterArn(template: Template, secret: SecretName): unknown {
  const name = template.Resources[SECRET_IDS[secret]]!.Properties!.Name as string;
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:parameter${name}`]] };
}

/**
 * Resources an Allow statement may name as "*", or with a "*" inside a literal ARN. Each would need a comment
 * here saying why AWS offers nothing narrower. There are none: every grant names its resource. (A log group's
 * `Arn` attribute, used for logs:CreateLogStream/PutLogEvents, resolves to `...:log-group:<name>:*`: that group's
 * streams and nothing else, the narrowest ARN those actions take.)
 */
const WILDCARD_RESOURCE_EXCEPTIONS: string[] = [];

/** The one resource whose logical id is `<prefix><8 hex digits>`. */
function idOf(template: Template, prefix: string): string {
  const ids = Object.keys(template.Resources).filter((id) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id));
  if (ids.length !== 1) throw new Error(`expected one resource ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0]!;
}

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
const key = (action: string, resource: unknown, condition?: unknown) =>
  `${action} on ${JSON.stringify(resource)}${condition ? ` if ${JSON.stringify(condition)}` : ''}`;

/** Each (action, resource, condition) an Allow statement grants. */
function grants(statements: Statement[]): string[] {
  return [...new Set(statements.flatMap((s) => list(s.Action).flatMap((a) => list(s.Resource).map((r) => key(a, r, s.Condition)))))].sort();
}

const TABLE_READS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];

/** What a function's spec implies, plus what CDK grants for its triggers. */
function expectedGrants(template: Template, spec: FunctionSpec, keyArn?: string): string[] {
  const fnId = functionLogicalId(template, spec.name);
  const p = spec.permissions;
  const out: string[] = [];
  const logGroup = refTarget(template.Resources[fnId]!.Properties!.LoggingConfig?.LogGroup);
  if (!logGroup) throw new Error(`${spec.name} does not log to its own log group`);
  for (const a of ['logs:CreateLogStream', 'logs:PutLogEvents']) out.push(key(a, arnOf(logGroup)));
  if (p.table) {
    const table = idOf(template, 'StoreTable');
    for (const a of p.table.actions) out.push(key(a, arnOf(table)));
    for (const i of p.table.indexes) out.push(key('dynamodb:Query', { 'Fn::Join': ['', [arnOf(table), `/index/${i}`]] }));
    if (keyArn) {
      const writes = p.table.actions.some((a) => !TABLE_READS.includes(a));
      const via = { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } } };
      const actions = ['kms:Decrypt', 'kms:DescribeKey', ...(writes ? ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'] : [])];
      for (const a of actions) out.push(key(a, keyArn, via));
    }
  }
  if (p.sendEmail) {
    const identityArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':identity/', { Ref: idOf(template, 'SenderIdentity') }]] };
    for (const a of ['ses:SendEmail', 'ses:SendRawEmail']) out.push(key(a, identityArn, { StringEquals: { 'ses:FromAddress': SENDER } }));
  }
  if (p.putEvents) out.push(key('events:PutEvents', arnOf(idOf(template, 'MessagingBus')), { StringEquals: { 'events:source': BUS_SOURCES[p.putEvents] } }));
  for (const s of p.secrets ?? []) out.push(key('ssm:GetParameter', parameterArn(template, s)));
  for (const q of p.sendToQueues ?? []) out.push(key('sqs:SendMessage', arnOf(idOf(template, QUEUE_IDS[q]))));
  for (const t of spec.triggers) {
    if (t.kind === 'queue') {
      // The SQS event source mapping polls with the function's role.
      for (const a of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl']) {
        out.push(key(a, arnOf(idOf(template, QUEUE_IDS[t.queue]))));
      }
    }
  }
  if (spec.triggers.some((t) => t.kind === 'event' || t.kind === 'schedule')) {
    // The asynchronous invocation's on-failure destination is written with the function's role.
    for (const a of ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl']) out.push(key(a, arnOf(idOf(template, QUEUE_IDS.deadLetter))));
  }
  return [...new Set(out)].sort();
}

/** The audit is append-only: what a role that writes the table is denied on audit entries (infra/stack.ts). */
const AUDIT_IMMUTABLE = ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const AUDIT_ONLY = { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } };
const writesTable = (spec: FunctionSpec) => !!spec.permissions.table?.actions.some((a) => !TABLE_READS.includes(a));

function expectedDenies(template: Template, spec: FunctionSpec): string[] {
  if (!writesTable(spec)) return [];
  return AUDIT_IMMUTABLE.map((a) => key(a, arnOf(idOf(template, 'StoreTable')), AUDIT_ONLY)).sort();
}

/** Whether a `dynamodb:LeadingKeys` StringLike pattern matches a key (`*` any run, `?` one character). */
function likeMatches(pattern: string, value: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(value);
}

/** Every policy document in the template: identity policies and resource policies alike. */
function policyDocuments(template: Template): Array<{ where: string; statements: Statement[] }> {
  const docs: Array<{ where: string; statements: Statement[] }> = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    const p = r.Properties ?? {};
    if (p.PolicyDocument) docs.push({ where: id, statements: list(p.PolicyDocument.Statement) });
    for (const inline of (p.Policies ?? []) as Array<{ PolicyDocument: { Statement: Statement[] } }>) docs.push({ where: id, statements: list(inline.PolicyDocument.Statement) });
    if (p.KeyPolicy) docs.push({ where: id, statements: list(p.KeyPolicy.Statement) });
  }
  return docs;
}

/** The literal text of a resource, with intrinsic references as `${...}`, to look for "*" in it. */
function literal(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(literal).join(sep);
  }
  return '${ref}';
}

const variants: Array<[string, () => Template, string | undefined]> = [
  ['the cdk.json settings', testTemplate, undefined],
  ['a customer-managed table key', () => synthTemplate({ custodian: { ...CUSTODIAN, tableKmsKeyArn: KEY_ARN } }), KEY_ARN],
];

describe.each(variants)('with %s', (_name, load, keyArn) => {
  const template = load();

  describe.each(FUNCTIONS.map((f) => [f.name, f] as const))('the %s function', (_fn, spec) => {
    const roleId = roleOf(template, functionLogicalId(template, spec.name));
    const role = template.Resources[roleId]!;

    it('may do exactly what its registry entry and its triggers need, on exactly those resources', () => {
      const statements = statementsOf(template, roleId);
      expect(statements.every((s) => s.Effect === 'Allow' || s.Effect === 'Deny')).toBe(true);
      expect(statements.some((s) => 'NotAction' in s || 'NotResource' in s)).toBe(false);
      expect(grants(statements.filter((s) => s.Effect === 'Allow'))).toEqual(expectedGrants(template, spec, keyArn));
      // Its only Deny is the one that keeps the audit append-only, when it writes the table.
      expect(grants(statements.filter((s) => s.Effect === 'Deny'))).toEqual(expectedDenies(template, spec));
    });

    it('has a role of its own, assumable only by Lambda, with no managed policies', () => {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties?.AssumeRolePolicyDocument?.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
      const sharing = resourcesOfType(template, 'AWS::Lambda::Function').filter(([, r]) => refTarget(r.Properties?.Role) === roleId);
      expect(sharing).toHaveLength(1);
    });
  });

  describe('the audit is append-only by permission', () => {
    const table = idOf(template, 'StoreTable');
    const onTable = (s: Statement) => list(s.Resource).some((r) => JSON.stringify(r) === JSON.stringify(arnOf(table)) || r === '*');
    const roles = resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => id);

    it('the Deny\'s condition matches every audit entry\'s partition key and no other item\'s', () => {
      const [pattern] = AUDIT_ONLY['ForAnyValue:StringLike']['dynamodb:LeadingKeys'];
      expect(`${AUDIT_PREFIX}*`).toBe(pattern);
      for (const type of ['account', 'task', 'person', 'school', 'policy']) expect(likeMatches(pattern!, keys.auditPartition(type, 'x:oak'))).toBe(true);
      for (const other of [keys.account('x:oak').pk, keys.task('t1').pk, keys.person('hr:abc').pk, keys.school('oak').pk, keys.policy('p').pk,
        keys.usedToken('n').pk, keys.digest('oak', '2026-W49').pk, keys.directoryState().pk]) {
        expect(likeMatches(pattern!, other), other).toBe(false);
      }
    });

    it.each(FUNCTIONS.filter(writesTable).map((f) => [f.name, f] as const))('%s may not update or delete an audit entry, and may still add one', (_n, spec) => {
      const statements = statementsOf(template, roleOf(template, functionLogicalId(template, spec.name)));
      const denies = statements.filter((s) => s.Effect === 'Deny');
      for (const a of AUDIT_IMMUTABLE) {
        expect(denies.some((s) => list(s.Action).includes(a) && onTable(s) && JSON.stringify(s.Condition) === JSON.stringify(AUDIT_ONLY)), a).toBe(true);
      }
      // Audit entries are written with PutItem (conditional on attribute_not_exists(pk) in the store): never denied.
      expect(denies.flatMap((s) => list(s.Action)).filter((a) => a === 'dynamodb:PutItem' || a.endsWith('*'))).toEqual([]);
      expect(statements.some((s) => s.Effect === 'Allow' && list(s.Action).includes('dynamodb:PutItem') && onTable(s))).toBe(true);
    });

    it('no role is allowed to update or delete table items without that Deny', () => {
      for (const roleId of roles) {
        const statements = statementsOf(template, roleId);
        const allowed = statements.filter((s) => s.Effect === 'Allow' && onTable(s)).flatMap((s) => list(s.Action));
        const mutating = AUDIT_IMMUTABLE.filter((a) => allowed.includes(a) || allowed.includes('dynamodb:*'));
        const denied = statements.filter((s) => s.Effect === 'Deny' && onTable(s) && JSON.stringify(s.Condition) === JSON.stringify(AUDIT_ONLY)).flatMap((s) => list(s.Action));
        expect(mutating.filter((a) => !denied.includes(a)), roleId).toEqual([]);
      }
      // And no resource policy on the table could grant it behind the roles' backs.
      expect(template.Resources[table]!.Properties?.ResourcePolicy).toBeUndefined();
    });
  });

  it('SES sending is limited to the configured identity and From address', () => {
    const ses = policyDocuments(template).flatMap((d) => d.statements).filter((s) => list(s.Action).some((a) => a.startsWith('ses:')));
    expect(ses.length).toBe(FUNCTIONS.filter((f) => f.permissions.sendEmail).length);
    for (const s of ses) {
      expect(list(s.Action).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      expect(JSON.stringify(s.Resource)).toContain(`":identity/",{"Ref":"${idOf(template, 'SenderIdentity')}"}`);
      expect(s.Condition).toEqual({ StringEquals: { 'ses:FromAddress': SENDER } });
    }
  });

  it('each schedule\'s role may only invoke its own function and write to its dead-letter queue', () => {
    for (const [id, schedule] of resourcesOfType(template, 'AWS::Scheduler::Schedule')) {
      const target = schedule.Properties!.Target;
      const roleId = refTarget(target.RoleArn)!;
      expect(grants(statementsOf(template, roleId)), id).toEqual([
        key('lambda:InvokeFunction', target.Arn),
        key('sqs:SendMessage', target.DeadLetterConfig.Arn),
      ].sort());
      expect(template.Resources[roleId]!.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });

  describe('the secrets', () => {
    const parameters = resourcesOfType(template, SECURE_PARAMETER_TYPE);
    const provider = resourcesOfType(template, 'AWS::Lambda::Function').find(([, r]) => !r.Metadata?.['custodian:function'])!;
    const providerRole = refTarget(provider[1].Properties?.Role)!;
    const ssmGrants = (roleId: string) => grants(statementsOf(template, roleId).filter((s) => s.Effect === 'Allow' && list(s.Action).some((a) => a.startsWith('ssm:') || a.startsWith('secretsmanager:'))));

    it('are SecureString parameters of their own, one per secret, made by the provider; there is no other secret store', () => {
      expect(parameters.map(([id]) => id).sort()).toEqual(SECRETS.map((s) => SECRET_IDS[s]).sort());
      for (const [id, p] of parameters) {
        expect(refTarget(p.Properties?.ServiceToken), id).toBe(provider[0]);
        expect(p.Properties?.Name, id).toMatch(/^\/Custodian\/[a-z-]+$/);
      }
      expect(new Set(parameters.map(([, p]) => p.Properties?.Name)).size).toBe(parameters.length);
      expect(resourcesOfType(template, 'AWS::SSM::Parameter')).toEqual([]);
      expect(resourcesOfType(template, 'AWS::SecretsManager::Secret')).toEqual([]);
    });

    it.each(SECRETS.map((s) => [s]))('%s can be read by exactly the functions that list it, and by no other role', (secret) => {
      const arn = key('ssm:GetParameter', parameterArn(template, secret));
      const readers = resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => id).filter((roleId) => ssmGrants(roleId).includes(arn));
      const listed = FUNCTIONS.filter((f) => f.permissions.secrets?.includes(secret)).map((f) => roleOf(template, functionLogicalId(template, f.name)));
      expect(listed.length).toBeGreaterThan(0);
      expect(readers.sort()).toEqual(listed.sort());
    });

    it('no function may change or delete a parameter, or use a key for it directly: SSM decrypts for the roles it authorizes', () => {
      for (const spec of FUNCTIONS) {
        const statements = statementsOf(template, roleOf(template, functionLogicalId(template, spec.name)));
        expect(ssmGrants(roleOf(template, functionLogicalId(template, spec.name))).filter((g) => !g.startsWith('ssm:GetParameter ')), spec.name).toEqual([]);
        // Its only KMS grants are the table key's, through DynamoDB.
        const kms = statements.filter((st) => list(st.Action).some((a) => a.startsWith('kms:')));
        for (const st of kms) expect(JSON.stringify(st.Condition), spec.name).toContain('"kms:ViaService"');
        for (const st of kms) expect(JSON.stringify(st.Condition), spec.name).toContain('dynamodb.');
      }
    });

    it('the provider may only create and delete these parameters (it cannot read one) and write its own logs', () => {
      const logGroup = refTarget(provider[1].Properties?.LoggingConfig?.LogGroup)!;
      const expected = [
        ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((a) => key(a, arnOf(logGroup))),
        ...SECRETS.flatMap((s) => ['ssm:PutParameter', 'ssm:DeleteParameter'].map((a) => key(a, parameterArn(template, s)))),
      ].sort();
      expect(grants(statementsOf(template, providerRole))).toEqual(expected);
      expect(statementsOf(template, providerRole).every((s) => s.Effect === 'Allow')).toBe(true);
      expect(template.Resources[providerRole]!.Properties?.ManagedPolicyArns).toBeUndefined();
    });
  });

  it('only graph-webhook may put Graph notifications on the bus, only hr-webhook HR events; the others only Custodian\'s own', () => {
    const writers = Object.fromEntries(FUNCTIONS.filter((f) => f.permissions.putEvents).map((f) => {
      const s = statementsOf(template, roleOf(template, functionLogicalId(template, f.name))).filter((st) => list(st.Action).includes('events:PutEvents'));
      return [f.name, s.map((st) => (st.Condition as { StringEquals?: Record<string, string[]> } | undefined)?.StringEquals?.['events:source'])];
    }));
    for (const [name, sources] of Object.entries(writers)) {
      const want = name === 'graph-webhook' ? [GRAPH_SOURCE] : name === 'hr-webhook' ? CUSTODIAN.hrSources : [CUSTODIAN_SOURCE];
      expect(sources, name).toEqual([want]);
    }
    expect(Object.keys(writers)).toContain('graph-webhook');
  });

  it('has no role other than the functions\', the schedules\' and the parameter provider\'s', () => {
    const fnRoles = resourcesOfType(template, 'AWS::Lambda::Function').map(([, r]) => refTarget(r.Properties?.Role));
    const scheduleRoles = resourcesOfType(template, 'AWS::Scheduler::Schedule').map(([, r]) => refTarget(r.Properties?.Target?.RoleArn));
    expect(resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => id).sort()).toEqual([...new Set([...fnRoles, ...scheduleRoles])].sort());
  });

  it('no policy allows a wildcard action, or a "*" resource except the documented exceptions', () => {
    const allows = policyDocuments(template).flatMap((d) => d.statements.filter((s) => s.Effect === 'Allow').map((s) => ({ ...s, where: d.where })));
    expect(allows.length).toBeGreaterThan(0);
    const wildActions = allows.flatMap((s) => list(s.Action).filter((a) => a.includes('*')).map((a) => `${s.where}: ${a}`));
    expect(wildActions).toEqual([]);
    const wildResources = allows.flatMap((s) => list(s.Resource).map(literal).filter((r) => r.includes('*')).map((r) => `${s.where}: ${r}`));
    expect(wildResources).toEqual(WILDCARD_RESOURCE_EXCEPTIONS);
  });
});
