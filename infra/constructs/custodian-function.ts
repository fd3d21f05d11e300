import { AssetHashType, DockerImage, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import path from 'node:path';
import type { FunctionSpec } from '../functions.ts';
import { bundleSync, ENTRY_FILE } from './bundle.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * The house defaults for every function: Node 22 on arm64, an ESM bundle split into chunks (bundle.ts),
 * JSON logs into a log group the stack owns (with retention), and a role that starts with nothing but
 * permission to write those logs. Everything else is granted from the function's spec.
 */
export class CustodianFunction extends Construct {
  readonly fn: lambda.Function;
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
    const entry = path.join(REPO_ROOT, spec.entry);
    this.fn = new lambda.Function(this, 'Function', {
      // Bundled at synth time with esbuild on this machine (bundle.ts); the asset's hash is the bundle's own, so a
      // deploy updates only the functions whose code changed. The Docker image is never used: local bundling always
      // succeeds or throws.
      code: lambda.Code.fromAsset(REPO_ROOT, {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          image: DockerImage.fromRegistry('dummy'),
          // CDK bundles once per source folder and bundling options (their JSON, so `local` does not count), and every
          // function's folder is the repository: the entry, here, is what tells one function's bundle from another's.
          environment: { CUSTODIAN_ENTRY: spec.entry },
          local: { tryBundle: (outputDir) => { bundleSync(entry, outputDir); return true; } },
        },
      }),
      handler: `${path.basename(ENTRY_FILE, '.mjs')}.handler`,
      description: spec.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memorySize,
      timeout: Duration.seconds(spec.timeoutSeconds),
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { ...environment, NODE_OPTIONS: '--enable-source-maps' },
    });
    (this.fn.node.defaultChild as lambda.CfnFunction).addMetadata('custodian:function', spec.name);
  }
}
