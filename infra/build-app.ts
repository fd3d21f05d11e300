import { App, type AppProps } from 'aws-cdk-lib';
import { parseSettings } from './config.ts';
import type { FunctionSpec } from './functions.ts';
import { CustodianStack } from './stack.ts';

/** Builds the app; used by `cdk synth` (infra/app.ts), the local stack and the infrastructure tests. */
export function buildApp(props: AppProps = {}, functions?: FunctionSpec[]): { app: App; stack: CustodianStack } {
  const app = new App(props);
  const settings = parseSettings(app.node.tryGetContext('custodian'));
  const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? 'Custodian';
  const stack = new CustodianStack(app, stackName, {
    settings,
    functions,
    description: `Custodian for ${settings.trustName}: official social media accounts kept in safe hands when staff leave`,
  });
  return { app, stack };
}
