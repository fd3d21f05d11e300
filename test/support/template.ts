/** Lookups into a synthesized template for the infrastructure tests. */
import type { Resource, Template } from '../../infra/local/template.ts';
import { refTarget, resourcesOfType } from '../../infra/local/template.ts';

export function functionLogicalId(template: Template, name: string): string {
  const found = resourcesOfType(template, 'AWS::Lambda::Function').find(([, r]) => r.Metadata?.['custodian:function'] === name);
  if (!found) throw new Error(`no function ${name} in template`);
  return found[0];
}

export function roleOf(template: Template, fnId: string): string {
  return refTarget(template.Resources[fnId]!.Properties!.Role)!;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every statement of every IAM policy attached to a role. */
export function statementsOf(template: Template, roleId: string): Statement[] {
  const out: Statement[] = [];
  for (const [, r] of resourcesOfType(template, 'AWS::IAM::Policy')) {
    const roles = (r.Properties?.Roles ?? []) as unknown[];
    if (!roles.some((x) => refTarget(x) === roleId)) continue;
    out.push(...((r.Properties?.PolicyDocument?.Statement ?? []) as Statement[]));
  }
  const role = template.Resources[roleId] as Resource;
  for (const p of (role.Properties?.Policies ?? []) as Array<{ PolicyDocument: { Statement: Statement[] } }>) out.push(...p.PolicyDocument.Statement);
  return out;
}

export function actionsOf(statements: Statement[]): string[] {
  return [...new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))].sort();
}
