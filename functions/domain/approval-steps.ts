/**
 * The approval steps a trust may put in its new-account chain (`approvalSteps`, contracts section 9). Alone in a file
 * with no imports, so the settings (infra/config.ts) and the environment reader (adapters/env.ts) can check a chain
 * without loading the request rules.
 */
export const APPROVAL_STEPS = ['line_manager', 'headteacher', 'trust_approvers'] as const;
export type ApprovalStepName = (typeof APPROVAL_STEPS)[number];
