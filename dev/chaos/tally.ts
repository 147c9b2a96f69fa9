import type { Cadence, Channel } from '../../domain/cadence';
import { touchKey, touchKeyOfMessageId } from '../../domain/ids';
import type { LeadState } from '../../domain/lead-state';
import { defaultPolicy } from '../../domain/policy';
import type { DeliveredMail } from './mailbox';
import type { Outage } from './stack';

/**
 * The chaos run's verdict, computed from sources that do not take the workflow's word for it:
 *
 * - what the SMTP catcher received (its own files; each touch email's Message-ID is derived from the
 *   touch key, `domain/ids.ts`), and when;
 * - the Zoho sandbox's Tasks, Notes and Leads (each task found by the touch key it carries);
 * - the ledger: `lead_events`, the `effects` claims, `opt_outs` (when the lead opted out);
 * - each lead's plan, rebuilt here from the published cadence it was enrolled with, the time the run
 *   enrolled it and `domain/policy.ts`, not read from the workflow;
 * - each workflow's own state (a query through the API) and its Temporal status (`describe()`), used
 *   only to say why something did not happen, never to say that it did.
 *
 * Definitions (a touch is one planned contact: the welcome email, each cadence step, each nurturing email):
 *
 * - expected: a touch of the lead's plan whose nominal moment plus a tolerance is before the lead's
 *   horizon (the end of the run, or its opt-out if earlier), plus any planned touch that left a trace
 *   anyway (a mail, a task, a ledger event, a non-planned status in the workflow). The tolerance is
 *   three cadence days + 30 s + twice the time the worker, Temporal or PostgreSQL (and, for emails, the
 *   SMTP server) were down in between: a touch may be late because of a fault, not missing.
 * - done exactly once: exactly one delivered mail with its Message-ID (email), or exactly one Zoho task
 *   carrying its key (call, LinkedIn).
 * - duplicated: more than one delivered mail or more than one Zoho task for one key; counted over every
 *   key seen, expected or not.
 * - uncertain: nothing delivered, and the workflow or the ledger marked it `uncertain` (a claimed send
 *   whose answer was lost: never repeated, by design). Uncertain touches that did arrive once count as
 *   done and are listed with the rest, each with the fault that most likely caused it.
 * - skipped with a reason: nothing delivered, and the ledger or the workflow says why (suppressed
 *   because opted out, a permanent failure, or no Zoho task because Zoho refused for good and that was
 *   recorded, or because the lead never got a Zoho record): the touch still reached the executive's
 *   queue, but not Zoho.
 * - lost: expected, and none of the above.
 * - other effects duplicated: any other mail (escalations, reports) with a Message-ID seen twice, a
 *   Zoho note carrying the same key twice, two Zoho leads with one email, or a Zoho task that neither
 *   carries a key nor is the result of any claim (a second task for some touch).
 * - mails sent without a ledger claim: a mail whose key (from its Message-ID) has no row in `effects`:
 *   something sent without claiming first.
 * - mails after an opt-out: a mail to an opted-out lead that the catcher received after the ledger's
 *   opt-out time (`opt_outs.opted_out_at`) and whose claim in the ledger was taken after that time too
 *   (or that has no claim). A mail claimed before the opt-out and received after it was already on
 *   its way when the lead clicked (the claim and the opt-out take the same lock, so one came first):
 *   it is counted apart, as in flight. Zoho tasks created after the opt-out are listed too.
 * - leads missing in Zoho: enrolled leads the Zoho sandbox has no Lead record of (by email) at the end.
 * - workflows failed: the lead's latest run closed as failed, terminated, timed out or cancelled.
 * - workflows stuck: still open and either failing workflow tasks (a pending workflow task past its
 *   first attempt), or retrying an activity (attempt ≥ 3) after the faults stopped, or not answering
 *   its query, or an automatic next step (a touch in new, contacting or nurturing) overdue by more than
 *   the tolerance.
 */

export interface EnrolledLead {
  leadId: string;
  email: string;
  createdAt: number;
  cadence: Cadence;
}

export interface LedgerEvent {
  leadId: string;
  type: string;
  occurredAt: number;
  data: Record<string, unknown>;
}

export type LedgerEffect = Record<string, unknown> & { key: string; kind?: string };

export interface WorkflowStatus {
  status: string;
  pendingWorkflowTaskAttempt: number;
  pendingActivities: { type: string; attempt: number; lastFailure: string | null }[];
}

export interface FaultRecord {
  at: number;
  kind: string;
  detail: string;
  /** Touch or effect keys this fault is known to have hit (e.g. the mail held when the worker died). */
  keys?: string[];
  /** Aimed at one lead's next mail: its key is the first mail to `email` after `after`. */
  target?: { email: string; after: number };
}

export interface TallyInput {
  leads: EnrolledLead[];
  mails: DeliveredMail[];
  zoho: { tasks: Record<string, unknown>[]; notes: Record<string, unknown>[]; leads: Record<string, unknown>[] };
  events: LedgerEvent[];
  effects: LedgerEffect[];
  optOuts: Map<string, number>;
  states: Map<string, LeadState | { error: string }>;
  workflows: Map<string, WorkflowStatus | { error: string }>;
  outages: Outage[];
  faults: FaultRecord[];
  dayMs: number;
  endAt: number;
}

export interface TouchVerdict {
  leadId: string;
  key: string;
  channel: Channel;
  nominalAt: string;
  verdict: 'once' | 'duplicated' | 'uncertain' | 'skipped' | 'lost';
  deliveries: number;
  why?: string;
}

export interface ChaosTable {
  expected: number;
  once: number;
  duplicated: number;
  lost: number;
  uncertain: number;
  skipped: number;
  uncertainAll: number;
  mailsAfterOptOut: number;
  mailsInFlightAtOptOut: number;
  tasksAfterOptOut: number;
  otherDuplicates: number;
  mailsWithoutClaim: number;
  workflowsFailed: number;
  workflowsStuck: number;
  notAtRest: number;
  /** Leads the Zoho sandbox has no record of (by email) at the end: the CRM of record lost them. */
  leadsMissingInZoho: number;
}

export interface Tally {
  table: ChaosTable;
  duplicates: { key: string; what: string; count: number }[];
  lost: TouchVerdict[];
  uncertain: { leadId: string; key: string; delivered: number; claim: string | null; cause: string }[];
  skipped: TouchVerdict[];
  /** `workflowKnewAt`: when the lead's workflow itself moved to opted_out (its ledger event), if it did. */
  afterOptOut: { leadId: string; what: string; key: string | null; at: string; optedOutAt: string; claimedAt: string | null; workflowKnewAt: string | null }[];
  /** Mails that arrived after the opt-out but were claimed (their send decided) before it. */
  inFlightAtOptOut: Tally['afterOptOut'];
  mailsWithoutClaim: { key: string; to: string }[];
  failed: { leadId: string; status: string }[];
  stuck: { leadId: string; why: string }[];
  notAtRest: { leadId: string; stage: string }[];
  leadsMissingInZoho: { leadId: string; why: string }[];
  notes: string[];
}

export const RESTING_STAGES = ['nurturing', 'archived', 'opted_out', 'lost', 'enrolled'];
const TOUCH_KEY = /L-[0-9a-z]{13}:(?:step-\d+:attempt-\d+|escalation:[0-9TZ:.-]+)/;
const MARKER = /\[seguimiento:([^\]\s]+)\]/;

function overlap(outages: Outage[], from: number, to: number, services: string[]): number {
  // Union of the intervals, so that two services down at once count once.
  const spans = outages
    .filter((o) => services.includes(o.service))
    .map((o) => [Math.max(from, o.from), Math.min(to, o.to ?? to)] as const)
    .filter(([a, b]) => b > a)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of spans) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The key a Zoho record carries: the product's marker (`[seguimiento:<key>]`, in the text field of the
 * record) or, failing that, anything shaped like a touch key in any of its fields.
 */
export function recordKeyOf(record: Record<string, unknown>): string | null {
  for (const value of Object.values(record)) {
    if (typeof value !== 'string') continue;
    const marked = MARKER.exec(value);
    if (marked) return marked[1]!;
  }
  for (const value of Object.values(record)) {
    if (typeof value !== 'string') continue;
    const m = TOUCH_KEY.exec(value);
    if (m) return m[0];
  }
  return null;
}

export function tally(input: TallyInput): Tally {
  const { leads, mails, zoho, events, effects, optOuts, states, workflows, outages, faults, dayMs, endAt } = input;
  const notes: string[] = [];
  const nurturing = defaultPolicy({ dayMs }).nurturing;

  // ---- deliveries by key ---------------------------------------------------------------------
  const mailsByKey = new Map<string, DeliveredMail[]>();
  for (const m of mails) {
    const key = m.messageId ? touchKeyOfMessageId(m.messageId) : undefined;
    if (!key) continue;
    mailsByKey.set(key, [...(mailsByKey.get(key) ?? []), m]);
  }
  // A task names its touch by the key it carries. One that carries none is matched through the claim
  // whose result is its id; one that neither carries a key nor is any claim's result was created by
  // nobody's account: a second task for some touch, so a duplicate.
  const claimOfRef = new Map(effects.filter((e) => e.kind === 'zoho_task' && typeof e.ref === 'string').map((e) => [e.ref as string, e.key]));
  const tasksByKey = new Map<string, Record<string, unknown>[]>();
  const unclaimedTasks: Record<string, unknown>[] = [];
  let keylessTasks = 0;
  for (const t of zoho.tasks) {
    let key = recordKeyOf(t);
    if (!key) {
      keylessTasks++;
      key = claimOfRef.get(String(t.id)) ?? null;
    }
    if (!key) unclaimedTasks.push(t);
    else tasksByKey.set(key, [...(tasksByKey.get(key) ?? []), t]);
  }
  if (keylessTasks) notes.push(`${keylessTasks} Zoho task(s) carry no touch key: matched through the ledger claim whose result is their id`);

  const eventsByKey = new Map<string, LedgerEvent[]>();
  const eventsByLead = new Map<string, LedgerEvent[]>();
  for (const e of events) {
    eventsByLead.set(e.leadId, [...(eventsByLead.get(e.leadId) ?? []), e]);
    const key = typeof e.data.key === 'string' ? e.data.key : null;
    if (key) eventsByKey.set(key, [...(eventsByKey.get(key) ?? []), e]);
  }
  const effectsByKey = new Map(effects.map((e) => [e.key, e]));

  // ---- duplicates, over everything that left ------------------------------------------------
  const duplicates: Tally['duplicates'] = [];
  let touchDuplicates = 0;
  const isTouchKey = (key: string) => /:step-\d+:attempt-\d+$/.test(key);
  for (const [key, list] of mailsByKey) {
    if (list.length > 1) {
      duplicates.push({ key, what: 'mail', count: list.length });
      if (isTouchKey(key)) touchDuplicates++;
    }
  }
  for (const [key, list] of tasksByKey) {
    if (list.length > 1) {
      duplicates.push({ key, what: 'Zoho task', count: list.length });
      if (isTouchKey(key)) touchDuplicates++;
    }
  }
  for (const t of unclaimedTasks) {
    duplicates.push({ key: `task ${String(t.id)} on Zoho lead ${String((t.What_Id as { id?: string } | undefined)?.id ?? '?')}`, what: 'Zoho task no claim accounts for', count: 2 });
    touchDuplicates++;
  }
  // One note per key it carries (an email's note also names its Message-ID, for notes without a key).
  const notesByKey = new Map<string, number>();
  for (const n of zoho.notes) {
    const key = recordKeyOf(n) ?? /Message-ID (<[^>]+>)/.exec(String(n.Note_Content ?? ''))?.[1];
    if (key) notesByKey.set(key, (notesByKey.get(key) ?? 0) + 1);
  }
  for (const [key, count] of notesByKey) if (count > 1) duplicates.push({ key, what: 'Zoho note', count });
  const zohoLeadsByEmail = new Map<string, number>();
  for (const l of zoho.leads) {
    const email = String(l.Email ?? '').toLowerCase();
    if (email) zohoLeadsByEmail.set(email, (zohoLeadsByEmail.get(email) ?? 0) + 1);
  }
  for (const [email, count] of zohoLeadsByEmail) if (count > 1) duplicates.push({ key: email, what: 'Zoho lead', count });

  // ---- every mail claimed in the ledger first -------------------------------------------------
  const mailsWithoutClaim: Tally['mailsWithoutClaim'] = [];
  for (const [key, list] of mailsByKey) {
    if (!effectsByKey.has(key)) mailsWithoutClaim.push({ key, to: list[0]!.to.join(', ') });
  }

  // ---- each lead's plan ------------------------------------------------------------------------
  const verdicts: TouchVerdict[] = [];
  const uncertain: Tally['uncertain'] = [];
  for (const lead of leads) {
    const optedOutAt = optOuts.get(lead.leadId) ?? null;
    const horizon = Math.min(optedOutAt ?? Infinity, endAt);
    const state = states.get(lead.leadId);
    const wfTouches = state && 'touches' in state ? state.touches : [];
    const leadEvents = eventsByLead.get(lead.leadId) ?? [];
    const planned: { key: string; channel: Channel; nominal: number }[] = [
      { key: touchKey({ leadId: lead.leadId, step: 0, attempt: 1 }), channel: 'email', nominal: lead.createdAt },
      ...lead.cadence.steps.slice(0, lead.cadence.maxTouches).map((s, i) => ({
        key: touchKey({ leadId: lead.leadId, step: i + 1, attempt: 1 }), channel: s.channel, nominal: lead.createdAt + (s.day - 1) * dayMs,
      })),
    ];
    const nurturingSince = leadEvents.find((e) => e.type === 'stage_changed' && e.data.to === 'nurturing')?.occurredAt;
    if (nurturingSince !== undefined) {
      let previous = nurturingSince;
      for (let n = 1; n <= nurturing.touches; n++) {
        const nominal = previous + nurturing.intervalDays * dayMs;
        if (nominal > horizon) break;
        const key = touchKey({ leadId: lead.leadId, step: 100 + n, attempt: 1 });
        planned.push({ key, channel: 'email', nominal });
        previous = mailsByKey.get(key)?.[0]?.receivedAt ?? nominal;
      }
    }
    for (const { key, channel, nominal } of planned) {
      const services = ['worker', 'temporal', 'postgres', ...(channel === 'email' ? ['smtp'] : ['zoho'])];
      const tolerance = 3 * dayMs + 30_000 + 2 * overlap(outages, nominal, horizon, services);
      const keyEvents = eventsByKey.get(key) ?? [];
      const wf = wfTouches.find((t) => t.key === key);
      const delivered = channel === 'email'
        ? (mailsByKey.get(key) ?? []).filter((m) => m.to.includes(lead.email)).length
        : (tasksByKey.get(key) ?? []).length;
      const traced = delivered > 0 || keyEvents.length > 0 || effectsByKey.has(key) || (wf !== undefined && wf.status !== 'planned');
      if (!traced && nominal + tolerance > horizon) continue;
      const base = { leadId: lead.leadId, key, channel, nominalAt: iso(nominal), deliveries: delivered };
      const markedUncertain = wf?.status === 'uncertain' || keyEvents.some((e) => e.type === 'email_uncertain');
      if (markedUncertain) uncertain.push({ leadId: lead.leadId, key, delivered, claim: claimSummary(effectsByKey.get(key)), cause: causeOf(key, keyEvents, effectsByKey.get(key), faults) });
      if (delivered > 1) verdicts.push({ ...base, verdict: 'duplicated' });
      else if (delivered === 1) verdicts.push({ ...base, verdict: 'once' });
      else if (markedUncertain) verdicts.push({ ...base, verdict: 'uncertain' });
      else {
        const reason = skipReason(channel, wf, keyEvents, leadEvents, zohoLeadsByEmail.has(lead.email));
        verdicts.push(reason ? { ...base, verdict: 'skipped', why: reason } : { ...base, verdict: 'lost', why: lostDetail(wf, keyEvents, effectsByKey.get(key)) });
      }
    }
  }

  // ---- after an opt-out ------------------------------------------------------------------------
  const afterOptOut: Tally['afterOptOut'] = [];
  const inFlightAtOptOut: Tally['afterOptOut'] = [];
  const knewAt = (leadId: string) => {
    const e = (eventsByLead.get(leadId) ?? []).find((x) => x.type === 'stage_changed' && x.data.to === 'opted_out');
    return e ? iso(e.occurredAt) : null;
  };
  const leadByEmail = new Map(leads.map((l) => [l.email, l]));
  for (const m of mails) {
    for (const to of m.to) {
      const lead = leadByEmail.get(to);
      const optedOutAt = lead && optOuts.get(lead.leadId);
      if (!lead || optedOutAt === undefined || m.receivedAt <= optedOutAt) continue;
      const key = m.messageId ? touchKeyOfMessageId(m.messageId) : null;
      const claimedAt = claimTime(key ? effectsByKey.get(key) : undefined);
      const entry = { leadId: lead.leadId, what: 'mail', key, at: iso(m.receivedAt), optedOutAt: iso(optedOutAt), claimedAt, workflowKnewAt: knewAt(lead.leadId) };
      // Claimed before the opt-out was recorded: it was already leaving (the claim and the opt-out take
      // the same lock, so one of them came first). Decided after it: it should never have left.
      if (claimedAt !== null && Date.parse(claimedAt) < optedOutAt) inFlightAtOptOut.push(entry);
      else afterOptOut.push(entry);
    }
  }
  const zohoIdToLead = new Map<string, EnrolledLead>();
  for (const l of zoho.leads) {
    const lead = leadByEmail.get(String(l.Email ?? '').toLowerCase());
    if (lead) zohoIdToLead.set(String(l.id), lead);
  }
  for (const t of zoho.tasks) {
    const what = t.What_Id as { id?: string } | undefined;
    const lead = what?.id ? zohoIdToLead.get(what.id) : undefined;
    const optedOutAt = lead && optOuts.get(lead.leadId);
    const created = Date.parse(String(t.Created_Time ?? ''));
    // Zoho's times have whole seconds: only a later second is surely after.
    if (!lead || optedOutAt === undefined || !(created >= Math.floor(optedOutAt / 1000) * 1000 + 1000)) continue;
    const key = recordKeyOf(t);
    afterOptOut.push({ leadId: lead.leadId, what: 'Zoho task', key, at: iso(created), optedOutAt: iso(optedOutAt), claimedAt: claimTime(key ? effectsByKey.get(key) : undefined), workflowKnewAt: knewAt(lead.leadId) });
  }

  // ---- workflows -------------------------------------------------------------------------------
  const failed: Tally['failed'] = [];
  const stuck: Tally['stuck'] = [];
  const notAtRest: Tally['notAtRest'] = [];
  const overdueAfter = 3 * dayMs + 30_000;
  for (const lead of leads) {
    const wf = workflows.get(lead.leadId);
    const state = states.get(lead.leadId);
    if (!wf || 'error' in wf) {
      stuck.push({ leadId: lead.leadId, why: `describe failed: ${wf && 'error' in wf ? wf.error : 'no workflow'}` });
      continue;
    }
    if (['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED'].includes(wf.status)) {
      failed.push({ leadId: lead.leadId, status: wf.status });
      continue;
    }
    if (wf.status !== 'RUNNING') continue;
    const why: string[] = [];
    if (wf.pendingWorkflowTaskAttempt > 1) why.push(`workflow task failing (attempt ${wf.pendingWorkflowTaskAttempt})`);
    for (const a of wf.pendingActivities) if (a.attempt >= 3) why.push(`${a.type} retrying (attempt ${a.attempt}${a.lastFailure ? `: ${a.lastFailure}` : ''})`);
    if (!state || 'error' in state) why.push(`query failed: ${state && 'error' in state ? state.error : 'no answer'}`);
    else {
      if (!RESTING_STAGES.includes(state.stage) && !state.contactProblem) notAtRest.push({ leadId: lead.leadId, stage: state.stage });
      const due = state.nextStep ? Date.parse(state.nextStep.dueAt) : NaN;
      if (['new', 'contacting', 'nurturing'].includes(state.stage) && !state.paused && !state.contactProblem && due < endAt - overdueAfter) {
        why.push(`next step "${state.nextStep!.action}" overdue since ${state.nextStep!.dueAt}`);
      }
    }
    if (why.length) stuck.push({ leadId: lead.leadId, why: why.join('; ') });
  }

  const leadsMissingInZoho = leads.filter((l) => !zohoLeadsByEmail.has(l.email)).map((l) => {
    const sync = (eventsByLead.get(l.leadId) ?? []).find((e) => e.type === 'crm_sync_failed' && !e.data.event);
    return { leadId: l.leadId, why: sync ? `enrolment sync failed at ${iso(sync.occurredAt)}: ${errorType(sync.data.error)}` : 'no failure recorded' };
  });

  const count = (v: TouchVerdict['verdict']) => verdicts.filter((x) => x.verdict === v).length;
  const table: ChaosTable = {
    expected: verdicts.length,
    once: count('once'),
    duplicated: touchDuplicates,
    lost: count('lost'),
    uncertain: count('uncertain'),
    skipped: count('skipped'),
    uncertainAll: uncertain.length,
    mailsAfterOptOut: afterOptOut.filter((a) => a.what === 'mail').length,
    mailsInFlightAtOptOut: inFlightAtOptOut.length,
    tasksAfterOptOut: afterOptOut.filter((a) => a.what !== 'mail').length,
    otherDuplicates: duplicates.length - touchDuplicates,
    mailsWithoutClaim: mailsWithoutClaim.length,
    workflowsFailed: failed.length,
    workflowsStuck: stuck.length,
    notAtRest: notAtRest.length,
    leadsMissingInZoho: leadsMissingInZoho.length,
  };
  return {
    table, duplicates, uncertain, afterOptOut, inFlightAtOptOut, mailsWithoutClaim, failed, stuck, notAtRest, leadsMissingInZoho, notes,
    lost: verdicts.filter((v) => v.verdict === 'lost'),
    skipped: verdicts.filter((v) => v.verdict === 'skipped'),
  };
}

/** When the effect was claimed, if the ledger keeps that (the column's name is the ledger's business). */
function claimTime(effect: LedgerEffect | undefined): string | null {
  if (!effect) return null;
  for (const name of ['claimed_at', 'created_at', 'started_at', 'completed_at']) {
    const v = effect[name];
    if (v instanceof Date) return v.toISOString();
    if (typeof v === 'string') return new Date(v).toISOString();
  }
  return null;
}

function skipReason(channel: Channel, wf: LeadState['touches'][number] | undefined, keyEvents: LedgerEvent[], leadEvents: LedgerEvent[], inZoho: boolean): string | null {
  const suppressed = keyEvents.find((e) => e.type === 'email_suppressed');
  if (suppressed) return `suppressed: ${String(suppressed.data.reason)}`;
  const failed = keyEvents.find((e) => e.type === 'email_failed');
  if (failed) return `permanent failure: ${String(failed.data.error)}`;
  if (channel !== 'email') {
    const due = keyEvents.find((e) => e.type === 'touch_due');
    if (due && !due.data.zohoTaskId) {
      // No record in Zoho at all: the enrolment's upsert failed and nothing made it again.
      if (!inZoho) {
        const sync = leadEvents.find((e) => e.type === 'crm_sync_failed' && !e.data.event);
        return `no Zoho task: the lead has no Zoho record (enrolment sync failed${sync ? `: ${errorType(sync.data.error)}` : ''}, never retried)`;
      }
      // The failure recorded for this call site nearest before the touch was recorded due.
      const failure = leadEvents.filter((e) => e.type === 'integration_failed' && String(e.data.callSite).includes('Task') && e.occurredAt <= due.occurredAt + 1_000).pop();
      if (failure) return `no Zoho task: createTouchTask failed for good (${errorType(failure.data.error)})`;
      return 'no Zoho task, and no Zoho failure recorded for it';
    }
  }
  if (wf?.status === 'skipped') return 'skipped by the workflow';
  return null;
}

/** "ZohoAuthError: Zoho authentication failed: …" → "ZohoAuthError: Zoho authentication failed". */
function errorType(error: unknown): string {
  return String(error ?? '?').split(':').slice(0, 2).join(':');
}

/** The ledger's claim as one line: state, when claimed, attempts, and why its last attempt could not tell. */
function claimSummary(effect: LedgerEffect | undefined): string | null {
  if (!effect) return null;
  const parts = [String(effect.state ?? '?'), `claimed ${claimTime(effect) ?? '?'}`];
  if (effect.attempts !== undefined) parts.push(`${String(effect.attempts)} attempt(s)`);
  if (effect.error) parts.push(`last error: ${String(effect.error).slice(0, 160)}`);
  return parts.join(', ');
}

function lostDetail(wf: LeadState['touches'][number] | undefined, keyEvents: LedgerEvent[], effect: LedgerEffect | undefined): string {
  const parts = [wf ? `workflow says ${wf.status}` : 'not in the workflow\'s touches'];
  if (keyEvents.length) parts.push(`ledger: ${keyEvents.map((e) => e.type).join(', ')}`);
  if (effect) parts.push(`claim: ${JSON.stringify(effect)}`);
  return parts.join('; ');
}

/**
 * The fault that most likely left this touch uncertain: one known to have hit its key (a held or
 * dropped mail), else the first fault after its claim and before the send's attempt could have ended
 * (the activity's 30 s timeout), else the nearest before it was found uncertain.
 */
function causeOf(key: string, keyEvents: LedgerEvent[], effect: LedgerEffect | undefined, faults: FaultRecord[]): string {
  const direct = faults.filter((f) => f.keys?.includes(key));
  if (direct.length) return direct.map((f) => `${f.kind} at ${iso(f.at)} (${f.detail})`).join('; ');
  const said = effect?.error ? ` — the attempt said: ${String(effect.error).slice(0, 160)}` : '';
  const claimed = claimTime(effect);
  const noticed = keyEvents.find((e) => e.type === 'email_uncertain')?.occurredAt;
  if (claimed) {
    const from = Date.parse(claimed) - 1_000;
    const after = faults.filter((f) => f.at >= from && f.at <= from + 36_000 && !f.kind.startsWith('opt-out')).sort((x, y) => x.at - y.at);
    if (after.length) return `${after[0]!.kind} at ${iso(after[0]!.at)} (${after[0]!.detail}), ${((after[0]!.at - Date.parse(claimed)) / 1000).toFixed(1)} s after the claim${said}`;
  }
  const to = noticed ?? Date.now();
  const before = faults.filter((f) => f.at <= to && f.at >= to - 5 * 60_000 && !f.kind.startsWith('opt-out')).sort((x, y) => y.at - x.at);
  if (before.length) return `likely ${before[0]!.kind} at ${iso(before[0]!.at)} (${before[0]!.detail})${said}`;
  return `unexplained: no fault recorded near its claim (${claimed ?? 'no claim'})${said}`;
}

export function messageKey(messageId: string | null): string | null {
  return messageId ? touchKeyOfMessageId(messageId) : null;
}

