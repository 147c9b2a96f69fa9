import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors';
import { OUTCOME_TYPES } from '../domain/outcomes';
import { labelValue, type Metrics } from '../lib/metrics';

/** The failure is for good: Temporal does not retry it, so this attempt was the touch's last. */
export const isFinal = (err: unknown): boolean => err instanceof Error && NON_RETRYABLE_ERROR_TYPES.includes(err.name);

/** An error's class name as a label (our errors name themselves: PermanentDeliveryError, ZohoAuthError…). */
export const errorKind = (err: unknown): string => labelValue(err instanceof Error ? err.name : undefined, 'Error');

const OUTCOMES: ReadonlySet<string> = new Set(OUTCOME_TYPES);

/**
 * The ledger events that are product facts, counted when first written (a retried append is not new,
 * and a replayed workflow never runs its activities again): outcomes, SLA breaches, leads queued.
 */
export function countLeadEvent(metrics: Metrics, type: string, data: Record<string, unknown> | undefined): void {
  if (type === 'outcome_recorded') metrics.outcomes.inc({ type: OUTCOMES.has(String(data?.outcome)) ? String(data?.outcome) : 'other' });
  else if (type === 'sla_missed') metrics.slaBreaches.inc();
  else if (type === 'lead_queued') metrics.leadsQueued.inc({ pool: labelValue(data?.pool) });
}

/** The outside system behind each activity that talks to one. */
const INTEGRATION_OF = {
  syncLeadToZoho: 'zoho',
  updateZohoStage: 'zoho',
  createTouchTask: 'zoho',
  addZohoNote: 'zoho',
  convertZohoLead: 'zoho',
  logZohoCall: 'zoho',
  sendTouchEmail: 'email',
  reportIntegrationFailure: 'email',
  escalate: 'escalation',
  assignLead: 'routing',
  recordLeadEvent: 'ledger',
} as const;

/** Not an integration's failure: another attempt still holds the claim, or Temporal cancelled the attempt. */
const NOT_AN_INTEGRATION_ERROR = new Set(['EffectInProgressError', 'CancelledFailure', 'AbortError']);

/**
 * Every failed attempt counted by integration and error class, retried or not: Zoho down for an hour
 * never reaches the director's report (Temporal retries it), but it shows here at once.
 */
export function countingIntegrationErrors<T extends object>(activities: T, metrics: Metrics): T {
  const counted = { ...activities } as Record<string, unknown>;
  for (const [name, integration] of Object.entries(INTEGRATION_OF)) {
    const activity = counted[name];
    if (typeof activity !== 'function') continue;
    counted[name] = async (...args: unknown[]) => {
      try {
        return await activity(...args);
      } catch (err) {
        const kind = errorKind(err);
        if (!NOT_AN_INTEGRATION_ERROR.has(kind)) metrics.integrationErrors.inc({ integration, kind });
        throw err;
      }
    };
  }
  return counted as T;
}
