import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Cadence } from './cadence';
import type { LeadState } from './lead-state';
import type { Command, Outcome } from './outcomes';

// Message names are part of the workflow's public contract: never rename them.

/** The whole lead: stage, owner, cadence, touches, next step, SLA, counts. */
export const getLeadState = defineQuery<LeadState>('getLeadState');

/** An outcome from someone who waits for the answer (the web app, the API): validated, returns the new state. */
export const recordOutcome = defineUpdate<LeadState, [Outcome]>('recordOutcome');

/** The same outcome where nobody waits (webhooks, inbound email): an invalid one is logged and dropped. */
export const outcomeSignal = defineSignal<[Outcome]>('outcome');

/**
 * The same person arrived again from some source: noted, and a dormant lead is reactivated. `course`:
 * what they asked about this time (absent in signals sent before interests were recorded).
 */
export interface LeadReturn { source: string; course?: { code: string; name: string } }
export const leadReturned = defineSignal<[LeadReturn]>('leadReturned');

/** pause, resume, reassign, update_lead, reactivate. */
export const runCommand = defineUpdate<LeadState, [Command]>('runCommand');

/** An operator deliberately moves a lead to another cadence (version). */
export const changeCadence = defineUpdate<LeadState, [{ cadence: Cadence }]>('changeCadence');

/** Someone in the lead's pool has room again: a lead waiting for an owner tries routing at once. */
export const capacityFreed = defineSignal('capacityFreed');
