/**
 * Amazon EventBridge event-pattern validation and matching, for the local
 * EventBridge emulator.
 *
 * Follows the AWS user guide pages "Amazon EventBridge event patterns",
 * "Content filtering in Amazon EventBridge event patterns" and "Comparison
 * operators for use in event patterns in Amazon EventBridge". Where those pages
 * are silent, behaviour follows Event Ruler (github.com/aws/event-ruler), the
 * open-source engine EventBridge matches with.
 *
 * Model: a pattern is a tree of objects whose leaves are arrays of
 * alternatives. Keys in one object are ANDed, the alternatives in one array are
 * ORed, and `$or` ORs whole sub-patterns. Every operator looks at the *leaf*
 * values (string, number, boolean, null) found at the field's path; arrays in
 * the event are flattened, so a field matches when any of its elements does.
 */

export type { EventPattern } from './event-pattern/model.ts';
export { validatePattern } from './event-pattern/validate.ts';
export { matchesPattern } from './event-pattern/match.ts';
