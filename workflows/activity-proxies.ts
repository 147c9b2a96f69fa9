import { ActivityFailure, ApplicationFailure, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors';

export const ACTIVITY_OPTIONS = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
  },
} satisfies ActivityOptions;

/** Activities that heartbeat while an outside system answers (activities/claims.ts). */
export const HEARTBEATING: ReadonlySet<keyof Activities> = new Set<keyof Activities>([
  'sendTouchEmail', 'createTouchTask', 'addZohoNote', 'logZohoCall', 'followLeadEvent', 'escalate', 'reportIntegrationFailure',
]);

/** The activities as the workflow calls them; spread ACTIVITY_OPTIONS to add a summary per call. */
export const acts = proxyActivities<Activities>(ACTIVITY_OPTIONS);

export function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  // An activity's own error class arrives as an ApplicationFailure whose `type` is that class's name.
  if (cause instanceof ApplicationFailure && cause.type) return `${cause.type}: ${cause.message}`;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
