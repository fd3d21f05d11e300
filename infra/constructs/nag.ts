/**
 * Every cdk-nag (AwsSolutions) finding this stack accepts, in one place. Each acknowledgement is attached to the one
 * construct it is about (never to the stack), names the rule, and says why. test/infra/nag.test.ts runs the
 * AwsSolutions pack over the synthesized stack and fails on any finding that is not acknowledged here, so a new
 * resource, route, secret or function that breaks a rule fails the tests until it is fixed or justified here.
 *
 * cdk-nag 3 records acknowledgements with CDK's own `Validations.of(construct).acknowledge({ id, reason })`
 * (it replaced v2's NagSuppressions); a finding about one value of a resource uses the `Rule[Finding]` form.
 */
import { Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { FUNCTIONS } from '../functions.ts';

export interface NagSubjects {
  /** The deploy-time function that creates the SecureString parameters (constructs/secure-parameters.ts). */
  parameterProvider: lambda.IFunction & IConstruct;
  /** The shared dead-letter queue (rule targets, schedules, async invocations, invalid events). */
  deadLetter: sqs.IQueue & IConstruct;
  /** Every HTTP API route. */
  routes: apigw.HttpRoute[];
  /** Every function, by registry name. */
  functions: ReadonlyMap<string, lambda.IFunction & IConstruct>;
}

/**
 * How each public route authenticates its caller instead of an API Gateway authorizer. A route whose path is not
 * here gets no acknowledgement, so the nag test fails until its authentication is described.
 */
/**
 * The web console's paths, from its entry in infra/functions.ts (every route of the console function): people sign
 * in with Microsoft 365, not with AWS or Cognito, and a page added there is covered by the same reason.
 */
const CONSOLE_PATHS = [...new Set(FUNCTIONS.find((f) => f.name === 'console')!.triggers.flatMap((t) => (t.kind === 'http' ? [t.path] : [])))];
const CONSOLE_AUTHENTICATION =
  'The web console is used in a browser by staff signed in with their Microsoft 365 account (OpenID Connect authorization code '
  + 'flow with PKCE against the trust\'s Entra tenant, ID token tid and address domain checked), not with AWS or Cognito identities. '
  + 'The function requires its own session cookie (encrypted and integrity-protected, HttpOnly, SameSite=Lax, Secure, 8 hours) on every '
  + 'page but sign-in, answers 401 or a redirect to sign-in without one, checks a per-session CSRF token and the Origin on every POST, '
  + 'and enforces each person\'s role in the use cases.';

export const ROUTE_AUTHENTICATION: Record<string, string> = {
  '/actions/{token}':
    'Action links are opened from emails by staff who have no AWS or Cognito identity. The path token is the credential: '
    + 'HMAC-SHA256 signed with the link secret, tied to one task, expiring (default 30 days) and single-use, verified by the function; '
    + 'GET only shows a confirmation page and changes nothing.',
  '/hr/events':
    'Server-to-server webhook for HR systems that cannot call AWS, so they cannot sign with SigV4 or hold a Cognito identity. '
    + 'Each request carries X-Custodian-Signature: an HMAC-SHA256 of "<timestamp>.<raw body>" under the shared HR webhook secret, '
    + 'compared in constant time by the function; requests older than 5 minutes or wrongly signed get 401 and change nothing, '
    + 'and a signed request already accepted (recorded by a hash of its signature for 10 minutes) is acknowledged without effect.',
  '/graph/notifications':
    'Microsoft Graph change-notification webhook: Graph cannot present AWS or Cognito credentials. The function answers Graph\'s '
    + 'validationToken handshake, and discards every notification whose clientState does not match the secret (constant-time comparison); '
    + 'valid ones are only put on the event bus, as the Graph source, which only this function may use.',
  '/graph/lifecycle':
    'Microsoft Graph lifecycle-notification webhook: Graph cannot present AWS or Cognito credentials. Each notification\'s clientState '
    + 'is compared in constant time with the secret and mismatches are discarded; valid ones are only put on the event bus.',
  ...Object.fromEntries(CONSOLE_PATHS.map((path) => [path, CONSOLE_AUTHENTICATION])),
};

function acknowledge(construct: IConstruct, rule: string, reason: string): void {
  Validations.of(construct).acknowledge({ id: `AwsSolutions-${rule}`, reason });
}

export function acknowledgeNagFindings(s: NagSubjects): void {
  for (const route of s.routes) {
    const reason = route.path !== undefined ? ROUTE_AUTHENTICATION[route.path] : undefined;
    if (reason) acknowledge(route, 'APIG4', `${route.path}: ${reason}`);
  }

  acknowledge(s.deadLetter, 'SQS3',
    'This queue is itself the dead-letter queue: the DeadLetterConfig of every EventBridge rule target and schedule, the on-failure '
    + 'destination of every asynchronous invocation, and where functions put the events they reject as invalid. Nothing consumes it automatically; '
    + 'a redrive policy on it would move a failure further from view each time an operator reads it. It keeps messages 14 days '
    + 'and has a depth alarm.');

  acknowledge(s.parameterProvider, 'L1',
    'The provider that creates the SecureString parameters runs Node.js 22 like every Custodian function, and only at deploy time (inline code, '
    + 'the runtime\'s AWS SDK): moving to a newer runtime is a deliberate change made with the others.');

  for (const [name, fn] of s.functions) {
    acknowledge(fn, 'L1',
      `${name} runs Node.js 22 on purpose: the bundle is built for node22 (esbuild target) and the tests and local stack run `
      + 'against it. It is a supported Lambda runtime; moving to a newer one is a deliberate change of runtime, bundle target and tests together.');
  }
}
