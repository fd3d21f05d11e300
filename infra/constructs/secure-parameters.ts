import { ArnFormat, CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The CloudFormation type of a generated SecureString parameter (the local stack generates these itself). */
export const SECURE_PARAMETER_TYPE = 'Custom::SecureParameter';

export interface SecureParameterProps {
  /** Its name, under the stack's own path: `/<stack name>/<name>`. */
  name: string;
  description: string;
  /** The generated value: `length` random letters and digits, or that put under `key` of `template` (a JSON object). */
  generate: { length: number; template?: Record<string, string>; key?: string };
}

/**
 * The stack's secrets as SSM Parameter Store SecureString parameters, standard tier: no monthly charge (a Secrets
 * Manager secret is $0.40 a month), encrypted with KMS (the AWS-managed `aws/ssm` key), versioned, and readable only
 * by a role granted `ssm:GetParameter` on the one parameter (infra/stack.ts grants each function the ones it lists).
 * CloudFormation cannot create a SecureString, so a small provider function does, on deploy only: it generates the
 * value (crypto.randomBytes) the first time and never changes one that exists, so an operator's value (the Entra
 * app's client secret, a rotated key) survives every deployment. It deletes the parameter with the stack, unless the
 * stack retains its data.
 *
 * Rotating a secret is `aws ssm put-parameter --name <name> --type SecureString --overwrite --value ...`; the functions
 * read it again within their 5-minute cache (functions/adapters/secrets.ts).
 */
export class SecureParameters extends Construct {
  readonly provider: lambda.Function;
  private readonly role: iam.Role;
  private readonly retain: boolean;

  constructor(scope: Construct, id: string, opts: { retain: boolean }) {
    super(scope, id);
    this.retain = opts.retain;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: opts.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Custodian: creates the stack\'s SecureString parameters on deploy',
    });
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    this.provider = new lambda.Function(this, 'Provider', {
      description: 'Custodian: creates the stack\'s SecureString parameters with generated values (deploy time only)',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(PROVIDER_CODE),
      timeout: Duration.seconds(60),
      memorySize: 128,
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
    });
  }

  /** A parameter; returns its name (the functions' `*_SECRET_ID`) and ARN. */
  add(id: string, props: SecureParameterProps): { name: string; arn: string } {
    const stack = Stack.of(this);
    const name = `/${stack.stackName}/${props.name}`;
    const arn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1), arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    // Only these parameters: the provider can create and delete them, and read or change no other.
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['ssm:PutParameter', 'ssm:DeleteParameter'], resources: [arn] }));
    const resource = new CustomResource(stack, id, {
      serviceToken: this.provider.functionArn,
      resourceType: SECURE_PARAMETER_TYPE,
      properties: {
        Name: name,
        Description: props.description,
        Length: props.generate.length,
        ...(props.generate.template ? { Template: JSON.stringify(props.generate.template), Key: props.generate.key } : {}),
        Retain: String(this.retain),
      },
    });
    // The role's policy must exist before the provider runs.
    resource.node.addDependency(this.role);
    return { name, arn };
  }
}

/**
 * The provider, inline (no bundle: it needs only Node and the runtime's AWS SDK). Physical id: the parameter name.
 * Create and Update put a generated value only if the parameter does not exist (Overwrite: false); Delete removes it
 * unless Retain. It answers CloudFormation through the pre-signed response URL, and logs no value.
 */
export const PROVIDER_CODE = `
const { SSMClient, PutParameterCommand, DeleteParameterCommand } = require('@aws-sdk/client-ssm');
const { randomBytes } = require('node:crypto');
const https = require('node:https');
const ssm = new SSMClient({});
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function random(n) {
  let s = '';
  while (s.length < n) for (const b of randomBytes(n)) if (b < 248 && s.length < n) s += ALPHABET[b % 62];
  return s;
}
function generated(p) {
  const v = random(Number(p.Length));
  if (!p.Template) return v;
  const o = JSON.parse(p.Template);
  o[p.Key] = v;
  return JSON.stringify(o);
}
function respond(event, status, reason, id) {
  const body = JSON.stringify({ Status: status, Reason: reason, PhysicalResourceId: id, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  const u = new URL(event.ResponseURL);
  return new Promise((resolve) => {
    const req = https.request({ hostname: u.hostname, path: u.pathname + u.search, method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', resolve);
    req.end(body);
  });
}
exports.handler = async (event) => {
  const p = event.ResourceProperties;
  const id = event.RequestType === 'Delete' ? event.PhysicalResourceId : p.Name;
  try {
    if (event.RequestType === 'Delete') {
      if (p.Retain !== 'true' && id === p.Name) {
        await ssm.send(new DeleteParameterCommand({ Name: id })).catch((e) => { if (e.name !== 'ParameterNotFound') throw e; });
      }
    } else {
      await ssm.send(new PutParameterCommand({ Name: p.Name, Description: p.Description, Type: 'SecureString', Tier: 'Standard', Overwrite: false, Value: generated(p) }))
        .catch((e) => { if (e.name !== 'ParameterAlreadyExists') throw e; });
    }
    await respond(event, 'SUCCESS', 'done', id);
  } catch (e) {
    console.log(JSON.stringify({ message: 'SecureString parameter not written', type: event.RequestType, error: e.name }));
    await respond(event, 'FAILED', String(e.name) + ': ' + String(e.message).slice(0, 200), id);
  }
};
`.trim();
