import { condition, patched } from '@temporalio/workflow';
import * as life from '../domain/lead-life';
import type { LeadState } from '../domain/lead-state';
import { leadViewOf } from '../domain/lead-view';
import type { LifecycleEvent } from '../domain/lifecycle';
import type { LeadContext } from './lead-context';

/**
 * The ledger and Zoho follow the state: every event the lead produces is recorded in order, then
 * mirrored in Zoho (a note, a call log, the stage, the conversion on hand-off to the closer).
 */
export function followInLedgerAndZoho({ state, outbox, now, run, survive }: LeadContext): void {
  void (async () => {
    for (;;) {
      await condition(() => outbox.length > 0);
      const event = outbox[0]!;
      await run('recordLeadEvent', `Ledger: ${event.type}`, { leadId: state.leadId, ...event, view: leadViewOf(state) });
      if (state.zohoLeadId) {
        try {
          await followInZoho(event, state.zohoLeadId);
        } catch (err) {
          await survive(err, { callSite: `zoho:${event.type}`, integration: 'zoho', events: (error) => life.crmSyncFailed(error, now(), event.type) });
        }
      }
      outbox.shift();
    }
  })();

  async function followInZoho(event: LifecycleEvent, zohoLeadId: string): Promise<void> {
    // Notes, calls and conversion came after leads were already in flight: older histories replay without them.
    if ((event.type === 'email_sent' || event.type === 'outcome_recorded') && patched('zoho-notes-and-calls')) {
      const { note, call } = life.zohoRecordsFor(state, event);
      await run('addZohoNote', `Zoho: nota (${note.title})`, { ...note, zohoLeadId });
      if (call) await run('logZohoCall', 'Zoho: registrar llamada', { ...call, zohoLeadId });
    }
    if (event.type !== 'stage_changed' || state.zohoConverted) return;
    if (event.data.to === 'closing' && patched('zoho-convert-on-handoff')) {
      await run('convertZohoLead', 'Zoho: convertir el lead (traspaso al vendedor)', { leadId: state.leadId, zohoLeadId });
      // From here the closer works the Contact in Zoho; the converted lead no longer takes updates.
      state.zohoConverted = true;
      return;
    }
    await run('updateZohoStage', `Zoho: etapa ${String(event.data.to)}`, { zohoLeadId, stage: event.data.to as LeadState['stage'] });
  }
}
