/**
 * The web console's Lambda handler (contracts section 8): API Gateway HTTP API, payload format 2.0, through hono's
 * AWS Lambda adapter, which reads the request's cookies from `event.cookies` and returns `Set-Cookie` values in the
 * response's `cookies`. The app is built on the first request, inside the invocation, from the function's environment.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import { depsFromEnv } from '../adapters/deps.ts';
import type { Deps } from '../usecases/deps.ts';
import { createConsoleApp } from './app.ts';
import { consoleConfigFromEnv } from './config.ts';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
let run: Handler | undefined;

export async function handler(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
  if (!run) {
    let deps: Deps | undefined;
    const app = createConsoleApp({ config: consoleConfigFromEnv(), deps: () => (deps ??= depsFromEnv()), now: () => new Date() });
    run = handle(app) as unknown as Handler;
  }
  return run(event, context);
}
