/**
 * The template's EventBridge Scheduler schedules, run on this machine: `rate(...)` as an interval, `cron(...)` with
 * croner in the schedule's time zone, each invoking its target function asynchronously with the schedule's input.
 */
import { Cron } from 'croner';
import type { LocalFunction, LocalRuntime } from './runtime.ts';
import { resourcesOfType, type Template } from './template.ts';

/** AWS cron (`min hour dom month dow year`, `?` for any, Sunday = 1) to the 5-field cron croner reads. */
export function awsCronToCroner(expression: string): string {
  const inner = /^cron\((.*)\)$/.exec(expression.trim())?.[1];
  if (!inner) throw new Error(`not a cron expression: ${expression}`);
  const [min, hour, dom, month, dow] = inner.split(/\s+/);
  const fixDow = (d: string) => d.replace(/\d/g, (n) => String((Number(n) + 6) % 7));
  return [min, hour, dom === '?' ? '*' : dom, month, dow === '?' ? '*' : fixDow(dow!)].join(' ');
}

/** Starts every schedule of the template; returns what stops them. */
export function startSchedules(template: Template, runtime: LocalRuntime, fnFor: (target: unknown) => LocalFunction, log: (line: string) => void): Array<() => void> {
  const stops: Array<() => void> = [];
  for (const [id, r] of resourcesOfType(template, 'AWS::Scheduler::Schedule')) {
    const fn = fnFor(r.Properties?.Target?.Arn);
    const expression = String(r.Properties?.ScheduleExpression);
    const fire = () => runtime.invokeAsync(fn.name, JSON.parse(r.Properties?.Target?.Input ?? '{}'));
    const rate = /^rate\((\d+)\s+(minute|hour|day)s?\)$/.exec(expression);
    if (rate) {
      const ms = Number(rate[1]) * { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[rate[2] as 'minute'];
      const t = setInterval(fire, ms);
      stops.push(() => clearInterval(t));
    } else {
      const job = new Cron(awsCronToCroner(expression), { timezone: r.Properties?.ScheduleExpressionTimezone ?? 'UTC' }, fire);
      stops.push(() => job.stop());
    }
    log(`schedule ${id}: ${expression} ${r.Properties?.ScheduleExpressionTimezone ?? ''} -> ${fn.name}`);
  }
  return stops;
}
