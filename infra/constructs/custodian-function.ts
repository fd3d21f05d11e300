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
 * AWS SDK packages left to the Lambda runtime's own copy; the rest of the SDK is bundled. Bundled and tree-shaken,
 * the DynamoDB client every function uses on every request loads several times faster than the runtime's copy
 * from its node_modules, and the function runs the SDK version its tests ran. These are the exceptions, each only
 * ever imported with `await import()` on first use (functions/adapters/aws.ts), so a cold start neither loads nor
 * parses them: SES, EventBridge and SQS, which a request needs only when it sends mail, publishes an event or
 * dead-letters one (an action page GET or a console page never does), and the credential providers Lambda never
 * reaches (credentials come from the environment, the first link of the chain). A static import of one of these
 * would be loaded from the runtime at start-up; `npm run bench` refuses a bundle that has one.
 * AWS on bundling the SDK: https://aws.amazon.com/blogs/developer/reduce-lambda-cold-start-times-migrate-to-aws-sdk-for-javascript-v3/
 */
export const RUNTIME_SDK_MODULES = [
  '@aws-sdk/client-sesv2', '@aws-sdk/client-eventbridge', '@aws-sdk/client-sqs',
  '@aws-sdk/credential-provider-ini', '@aws-sdk/credential-provider-sso', '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity', '@aws-sdk/credential-provider-http', '@smithy/credential-provider-imds',
];

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
        // ES module builds first, so esbuild can tree-shake them (the AWS SDK's dist-es: its CommonJS build is twice
        // the size in a bundle). NodejsFunction passes no --main-fields unless asked, and esbuild's default for node
        // is main first.
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        // Stack traces still name our files and lines; the sources themselves stay out of the map, which Node reads
        // and parses at start-up under --enable-source-maps (a map three times the bundle's size cost ~50 ms a cold start).
        sourcesContent: false,
        // The AWS SDK is bundled but for what a cold start does not need (RUNTIME_SDK_MODULES above).
        externalModules: RUNTIME_SDK_MODULES,
        // Licence notices go to a file beside the bundle (index.mjs.LEGAL.txt, deployed with it) instead of its end.
        esbuildArgs: { '--legal-comments': 'external' },
        // ESM bundles still meet CommonJS dependencies that call require(); give them one.
        banner: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);",
      },
    });
    (this.fn.node.defaultChild as lambda.CfnFunction).addMetadata('custodian:function', spec.name);
  }
}
