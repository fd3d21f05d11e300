/** What `cdk deploy` would create: the template's table, bus, functions and settings validation. */
import { App } from 'aws-cdk-lib';
import { Match, Template as Assert } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { consoleIssuer, parseSettings, SettingsError } from '../../infra/config.ts';
import { buildApp } from '../../infra/build-app.ts';
import { resourcesOfType } from '../../infra/local/template.ts';
import { testTemplate } from '../support/env.ts';

const template = testTemplate();
const assert = Assert.fromJSON(template as never);

describe('the table', () => {
  it('is on-demand, with point-in-time recovery, TTL, deletion protection, and retained', () => {
    assert.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        DeletionProtectionEnabled: true,
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('has the byEmail, byType and sparse due indexes', () => {
    const [table] = resourcesOfType(template, 'AWS::DynamoDB::Table');
    const indexes = table![1].Properties!.GlobalSecondaryIndexes as Array<{ IndexName: string }>;
    expect(indexes.map((i) => i.IndexName).sort()).toEqual(['byEmail', 'byType', 'due']);
  });

  it('uses a customer-managed key when one is given by context, AWS-owned encryption otherwise', () => {
    expect(JSON.stringify(template)).not.toContain('KMSMasterKeyId');
    const { stack } = buildApp({
      context: {
        'aws:cdk:bundling-stacks': [],
        custodian: { ...baseSettings(), tableKmsKeyArn: 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
      },
    });
    Assert.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
    });
  });

  it('can be made destroyable for test stacks by context', () => {
    const { stack } = buildApp({ context: { 'aws:cdk:bundling-stacks': [], custodian: { ...baseSettings(), retainData: false, deletionProtection: false } } });
    const destroyable = Assert.fromStack(stack);
    destroyable.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    destroyable.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
    for (const type of ['AWS::SQS::Queue', 'AWS::Logs::LogGroup']) {
      expect(Object.values(destroyable.findResources(type)).every((r) => r.DeletionPolicy === 'Delete'), type).toBe(true);
    }
  });
});

describe('other data', () => {
  it('every queue is encrypted at rest (SQS-managed keys), requires TLS, and is retained by default', () => {
    const queues = resourcesOfType(template, 'AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThan(0);
    for (const [id, q] of queues) {
      expect(q.Properties?.SqsManagedSseEnabled, id).toBe(true);
      expect((q as { DeletionPolicy?: string }).DeletionPolicy, id).toBe('Retain');
    }
    const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy');
    for (const [id] of queues) {
      const policy = policies.find(([, p]) => (p.Properties?.Queues as unknown[]).some((q) => JSON.stringify(q) === JSON.stringify({ Ref: id })));
      expect(JSON.stringify(policy?.[1].Properties?.PolicyDocument), id).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('every log group has a retention period and is retained by default', () => {
    for (const [id, g] of resourcesOfType(template, 'AWS::Logs::LogGroup')) {
      expect(g.Properties?.RetentionInDays, id).toBeGreaterThan(0);
      expect((g as { DeletionPolicy?: string }).DeletionPolicy, id).toBe('Retain');
    }
  });
});

describe('the functions', () => {
  it('every function is Node.js 22 on arm64', () => {
    const fns = resourcesOfType(template, 'AWS::Lambda::Function');
    expect(fns.length).toBeGreaterThan(0);
    for (const [, fn] of fns) {
      expect(fn.Properties?.Runtime).toBe('nodejs22.x');
      expect(fn.Properties?.Architectures).toEqual(['arm64']);
    }
  });
});

describe('the rest of the stack', () => {
  it('has a custom event bus, an HTTP API, an SES identity and a dead-letter queue, and names them in outputs', () => {
    assert.resourceCountIs('AWS::Events::EventBus', 1);
    assert.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    assert.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'custodian@example-trust.org.uk' });
    expect(resourcesOfType(template, 'AWS::SQS::Queue').length).toBeGreaterThanOrEqual(1);
    expect(Object.keys(template.Outputs ?? {})).toEqual(expect.arrayContaining(['TableName', 'EventBusName', 'ApiUrl', 'DeadLetterQueueUrl']));
  });
});

function baseSettings() {
  return {
    trustName: 'Test Trust',
    senderAddress: 'custodian@test-trust.org.uk',
    trustItContact: 'it@test-trust.org.uk',
    trustApprovers: ['director.it@test-trust.org.uk'],
  };
}

describe('deployment settings', () => {
  it('fills defaults', () => {
    const s = parseSettings(baseSettings());
    expect(s).toMatchObject({ hrSources: ['hr'], activitySources: ['activity'], linkExpiryDays: 30, retainData: true, deletionProtection: true, apiThrottleRateLimit: 20, apiThrottleBurstLimit: 40 });
  });

  it('a bad setting stops the synth with an error naming it', () => {
    expect(() => parseSettings({ ...baseSettings(), senderAddress: 'nobody' })).toThrow(/custodian\.senderAddress: must be an email address/);
    expect(() => parseSettings({ ...baseSettings(), publicBaseUrl: 'http://insecure.example' })).toThrow(/custodian\.publicBaseUrl/);
    expect(() => parseSettings({ ...baseSettings(), hrSources: [] })).toThrow(/custodian\.hrSources/);
    expect(() => parseSettings({ ...baseSettings(), activitySources: [] })).toThrow(/custodian\.activitySources/);
    expect(() => parseSettings({ ...baseSettings(), activitySources: ['a,b'] })).toThrow(/custodian\.activitySources\.0: must have no commas or spaces/);
    expect(() => parseSettings({ ...baseSettings(), apiThrottleBurstLimit: 0 })).toThrow(/custodian\.apiThrottleBurstLimit/);
    expect(() => parseSettings(undefined)).toThrow(SettingsError);
    expect(() => new App({ context: { custodian: { trustName: 'x' } } })).not.toThrow();
    expect(() => buildApp({ context: { custodian: { ...baseSettings(), linkExpiryDays: 0 } } })).toThrow(/custodian\.linkExpiryDays/);
  });
});

describe('the web console', () => {
  const TENANT = '5f3c1b2a-8d4e-4c6f-9a7b-2e1d0c9b8a76';

  it('has its own secret: the Entra client secret, filled in by hand, and a generated session key', () => {
    const [secret] = resourcesOfType(template, 'Custom::SecureParameter').filter(([id]) => id.startsWith('ConsoleSecret'));
    expect(secret).toBeDefined();
    expect(secret![1].Properties).toMatchObject({ Name: '/Custodian/console', Template: JSON.stringify({ clientSecret: '' }), Key: 'sessionKey', Length: 64 });
    expect(Object.keys(template.Outputs ?? {})).toEqual(expect.arrayContaining(['ConsoleSecretName', 'ConsoleRedirectUri']));
  });

  it('signs in against the trust\'s Entra tenant, with both a tenant and a client id or neither', () => {
    expect(consoleIssuer({ tenantId: TENANT.toUpperCase() })).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
    expect(consoleIssuer({ tenantId: TENANT, oidcIssuer: 'https://id.example.org/' })).toBe('https://id.example.org');
    expect(consoleIssuer({})).toBeUndefined();
    expect(parseSettings({ ...baseSettings(), tenantId: TENANT, clientId: 'abc', trustAdmins: ['Head@Trust.org.uk'] })).toMatchObject({ tenantId: TENANT, clientId: 'abc' });
    expect(parseSettings(baseSettings()).trustAdmins).toEqual([]);
    expect(() => parseSettings({ ...baseSettings(), tenantId: TENANT })).toThrow(/custodian\.clientId: is required/);
    expect(() => parseSettings({ ...baseSettings(), clientId: 'abc' })).toThrow(/custodian\.tenantId: is required/);
    expect(() => parseSettings({ ...baseSettings(), tenantId: 'contoso', clientId: 'abc' })).toThrow(/custodian\.tenantId: must be a directory/);
    expect(() => parseSettings({ ...baseSettings(), oidcIssuer: 'http://127.0.0.1:4004', clientId: 'abc' })).toThrow(/custodian\.oidcIssuer/);
    expect(() => parseSettings({ ...baseSettings(), trustAdmins: ['nobody'] })).toThrow(/custodian\.trustAdmins\.0: must be an email address/);
  });

  it('the approval chain for new accounts: known steps, each once, at least one; trust approvers required for their step', () => {
    expect(parseSettings(baseSettings())).toMatchObject({ approvalSteps: ['line_manager', 'headteacher', 'trust_approvers'], trustApprovers: ['director.it@test-trust.org.uk'] });
    expect(() => parseSettings({ ...baseSettings(), approvalSteps: ['line_manager', 'governors'] })).toThrow(/custodian\.approvalSteps\.1/);
    expect(() => parseSettings({ ...baseSettings(), approvalSteps: [] })).toThrow(/custodian\.approvalSteps/);
    expect(() => parseSettings({ ...baseSettings(), approvalSteps: ['headteacher', 'headteacher'] })).toThrow(/custodian\.approvalSteps: names a step more than once/);
    expect(() => parseSettings({ ...baseSettings(), trustApprovers: ['nobody'] })).toThrow(/custodian\.trustApprovers\.0: must be an email address/);
    expect(() => parseSettings({ ...baseSettings(), trustApprovers: [] })).toThrow(/custodian\.trustApprovers: is required when approvalSteps includes trust_approvers/);
    expect(parseSettings({ ...baseSettings(), trustApprovers: [], approvalSteps: ['line_manager', 'headteacher'] })).toMatchObject({ approvalSteps: ['line_manager', 'headteacher'], trustApprovers: [] });
  });

  it('gives the console function the issuer, client id, tenant and trust administrators from the settings', () => {
    const { stack } = buildApp({ context: { 'aws:cdk:bundling-stacks': [], custodian: { ...baseSettings(), tenantId: TENANT, clientId: 'abc', trustAdmins: ['head@trust.org.uk', 'dit@trust.org.uk'] } } });
    const fns = Assert.fromStack(stack).findResources('AWS::Lambda::Function', { Metadata: { 'custodian:function': 'console' } });
    const vars = (Object.values(fns)[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
    expect(vars).toMatchObject({
      OIDC_ISSUER: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      OIDC_CLIENT_ID: 'abc',
      OIDC_TENANT_ID: TENANT,
      TRUST_ADMINS: 'head@trust.org.uk,dit@trust.org.uk',
    });
    expect(vars.CONSOLE_SECRET_ID).toEqual(expect.stringMatching(/^\/[A-Za-z0-9-]+\/console$/));
  });
});
