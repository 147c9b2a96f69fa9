import type { Stage } from '../domain/lead';
import type { LeadView } from '../domain/lead-view';
import { heartbeating } from './claims';

/** What one ledger event asks of Zoho (domain/lead-life.ts `zohoWritesFor`), under its Zoho lead. */
export interface FollowLeadEventInput {
  leadId: string; type: string; occurredAt: string; data?: Record<string, unknown>;
  view?: LeadView;
  zoho: {
    zohoLeadId: string;
    note?: { leadId: string; key: string; title: string; content: string };
    call?: { leadId: string; key: string; subject: string; result: string; at: string; note?: string };
    stage?: Stage;
  };
}

/** The activities one event's follow-up is made of; each claims its own effect, as when called alone. */
export interface FollowParts {
  recordLeadEvent(input: Omit<FollowLeadEventInput, 'zoho'>): Promise<void>;
  addZohoNote(input: NonNullable<FollowLeadEventInput['zoho']['note']> & { zohoLeadId: string }): Promise<void>;
  logZohoCall(input: NonNullable<FollowLeadEventInput['zoho']['call']> & { zohoLeadId: string }): Promise<void>;
  updateZohoStage(input: { zohoLeadId: string; stage: Stage }): Promise<void>;
}

/**
 * The ledger event and its Zoho writes in one activity: one step in the lead's history instead of two
 * or three (issue 16's lean history). The ledger comes first and is idempotent by the attempt's
 * activity, so a retry for Zoho's sake writes it once; ledger failures are always retried, so a
 * failure for good is Zoho's, after the ledger has the event. Parts are read at call time (tests swap them).
 */
export function followLeadEvent(parts: FollowParts) {
  return ({ zoho, ...event }: FollowLeadEventInput): Promise<void> => heartbeating((async () => {
    await parts.recordLeadEvent(event);
    const { zohoLeadId } = zoho;
    if (zoho.note) await parts.addZohoNote({ ...zoho.note, zohoLeadId });
    if (zoho.call) await parts.logZohoCall({ ...zoho.call, zohoLeadId });
    if (zoho.stage) await parts.updateZohoStage({ zohoLeadId, stage: zoho.stage });
  })());
}
