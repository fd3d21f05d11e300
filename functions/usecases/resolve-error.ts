/**
 * Why a decision on a task was refused: nothing was changed. Its own module so that the decisions resolveTask
 * delegates (request-decisions.ts) can throw it without importing resolve.ts; resolve.ts re-exports it.
 */
export class ResolveError extends Error {
  constructor(message: string, readonly code: 'not_found' | 'not_open' | 'invalid' | 'conflict' | 'refused') {
    super(message);
  }
}
