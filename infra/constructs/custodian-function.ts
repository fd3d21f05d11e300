import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import path from 'node:path';
import type { FunctionSpec } from '../functions.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * The house defaults for every function: Node 22 on arm64, ESM bundle with the AWS SDK left to the runtime,
 * JSON logs into a log group the stack owns (with retention), and a role that starts with nothing but
 * permission to write those logs. Everything else is granted from the function's spec.
 */
export class CustodianFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, spec: FunctionSpec, environment: Record<string, string>, retainLogs: boolean) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Custodian ${spec.name}`,
    });
    // The log group's Arn attribute ends in `:*`: its own log streams, the narrowest resource these actions take.
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }));
    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, spec.entry),
      handler: 'handler',
      description: spec.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memorySize,
      timeout: Duration.seconds(spec.timeoutSeconds),
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { ...environment, NODE_OPTIONS: '--enable-source-maps' },
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        externalModules: ['@aws-sdk/*'],
        // ESM bundles still meet CommonJS dependencies that call require(); give them one.
        banner: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);",
      },
    });
    (this.fn.node.defaultChild as lambda.CfnFunction).addMetadata('custodian:function', spec.name);
  }
}
