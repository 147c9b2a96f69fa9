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
      try {
        await follow(event);
      } catch (err) {
        // Ledger writes are retried until they land: a failure for good is Zoho's, after the ledger has the event.
        await survive(err, { callSite: `zoho:${event.type}`, integration: 'zoho', events: (error) => life.crmSyncFailed(error, now(), event.type) });
      }
      outbox.shift();
    }
  })();

  async function follow(event: LifecycleEvent): Promise<void> {
    const record = { leadId: state.leadId, ...event, view: leadViewOf(state) };
    const zohoLeadId = state.zohoLeadId;
    const writes = zohoLeadId ? life.zohoWritesFor(state, event) : null;
    // One step for the event and its Zoho writes; histories written before keep their two or three.
    if (zohoLeadId && writes && patched('ledger-and-zoho-together')) {
      return run('followLeadEvent', `Ledger y Zoho: ${event.type}`, { ...record, zoho: { zohoLeadId, ...writes } });
    }
    await run('recordLeadEvent', `Ledger: ${event.type}`, record);
    // Read again: the Zoho lead may have been made while the ledger was written.
    if (state.zohoLeadId) await followInZoho(event, state.zohoLeadId);
  }

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
