import {
  computeKpis, leavesNextStep, percentile, type KpiEvent, type KpiLead, type KpiSettings,
} from '../../services/analytics/kpis';
import { STAGES, TERMINAL_STAGES, type Stage } from '../../domain/lead';
import { applyOutcome, rejectOutcome } from '../../domain/lifecycle';
import { OUTCOME_TYPES, type OutcomeType } from '../../domain/outcomes';
import { leadStateIn } from '../support/leads';

/*
 * The fixture: two weeks of work by two executives (ana, ben) on leads from two countries (CO, MX)
 * and two courses (DS-101 priced 1000, PM-201 at the default 600). Every expected figure below is
 * worked out by hand in the comments from the event list; docs/kpis.md has the definitions.
 *
 *   period [2027-03-01, 2027-03-15) = 14 days = 2 weeks; now = 2027-03-20T00:00Z
 *
 *   lead owner  country course  created      stage now   story
 *   L1   ana    CO      DS-101  03-02 10:00  enrolled    call answered (interested) → proposal → enrolled
 *   L2   ana    MX      PM-201  03-04 09:00  archived    call, missed LinkedIn, email, call, email: no answer → archived
 *   L3   ben    CO      PM-201  03-01 08:00  engaged     call missed, replies to the first email, stalls, revived
 *   L4   ben    MX      DS-101  03-03 12:00  enrolled    assigned to ana, reassigned to ben; LinkedIn answered → closer → enrolled (by zoho)
 *   L5   ana    CO      PM-201  02-10 10:00  engaged     from February's nurturing, reactivated by command; call-back; stalls; answers after the period
 *   L6   ben    CO      DS-101  03-10 10:00  lost        first call 47 h late: not interested
 *   L7   ana    MX      DS-101  03-13 20:00  opted_out   unsubscribes 20 h after creation, never contacted
 *   L8   —      CO      PM-201  03-14 10:00  contacting  nobody owns it yet, never contacted
 *   L9   ben    MX      PM-201  01-05 10:00  contacting  archived in January, came back after the period
 */

const ANA = 'ana@cursos.test';
const BEN = 'ben@cursos.test';
const at = (when: string) => `2027-${when}:00.000Z`; // '03-02T10:00' → 2027-03-02T10:00:00.000Z

const period = { from: at('03-01T00:00'), to: at('03-15T00:00') };
const now = at('03-20T00:00');
const settings: KpiSettings = {
  caps: { [ANA]: 3 }, // ben gets the default 4
  defaultCap: 4,
  monthlyCostPerExecutive: 3000,
  coursePrices: { 'DS-101': 1000 }, // PM-201 costs the default 600
  defaultCoursePrice: 600,
  baselineConversionRate: 0.1,
  targets: { newLeadsContactedPerDay: 0.2, reactivationsPerWeek: 0.5, nextStepPercent: 75 },
  slaHours: 24,
};

const lead = (leadId: string, owner: string | null, country: string, courseCode: string, created: string, stage: Stage): KpiLead =>
  ({ leadId, owner, country, courseCode, createdAt: at(created), stage });

const leads: KpiLead[] = [
  lead('L1', ANA, 'CO', 'DS-101', '03-02T10:00', 'enrolled'),
  lead('L2', ANA, 'MX', 'PM-201', '03-04T09:00', 'archived'),
  lead('L3', BEN, 'CO', 'PM-201', '03-01T08:00', 'engaged'),
  lead('L4', BEN, 'MX', 'DS-101', '03-03T12:00', 'enrolled'),
  lead('L5', ANA, 'CO', 'PM-201', '02-10T10:00', 'engaged'),
  lead('L6', BEN, 'CO', 'DS-101', '03-10T10:00', 'lost'),
  lead('L7', ANA, 'MX', 'DS-101', '03-13T20:00', 'opted_out'),
  lead('L8', null, 'CO', 'PM-201', '03-14T10:00', 'contacting'),
  lead('L9', BEN, 'MX', 'PM-201', '01-05T10:00', 'contacting'),
];

const ev = (leadId: string, type: string, when: string, data: Record<string, unknown> = {}): KpiEvent =>
  ({ leadId, type, occurredAt: at(when), data });
const start = (id: string, when: string, owner: string) => [
  ev(id, 'lead_enrolled', when, { source: 'web-form', cadence: 'default@1' }),
  ev(id, 'lead_assigned', when, { owner, pool: 'general' }),
  ev(id, 'stage_changed', when, { from: 'new', to: 'contacting' }),
];
const stage = (id: string, when: string, from: Stage, to: Stage) => ev(id, 'stage_changed', when, { from, to });
const due = (id: string, when: string, channel: 'call' | 'linkedin') => ev(id, 'touch_due', when, { key: `${id}:${when}`, channel, dueAt: at(when) });
const missed = (id: string, when: string, channel: 'call' | 'linkedin', dueWhen: string) => ev(id, 'touch_missed', when, { key: `${id}:${dueWhen}`, channel });
const sent = (id: string, when: string, template: string) => ev(id, 'email_sent', when, { key: `${id}:${when}`, template, messageId: `<${id}.${when}@mail>` });
const outcome = (id: string, when: string, type: OutcomeType, stageBefore: Stage, stageAfter: Stage, by: string, touchChannel: 'call' | 'linkedin' | null) =>
  ev(id, 'outcome_recorded', when, { outcome: type, stageBefore, stageAfter, reason: null, by, note: null, touchChannel, closer: null });
const firstContact = (id: string, when: string, slaStatus: string) => ev(id, 'first_contact', when, { slaStatus });

const events: KpiEvent[] = [
  // L1
  ...start('L1', '03-02T10:00', ANA),
  sent('L1', '03-02T14:00', 'welcome'),
  due('L1', '03-02T15:00', 'call'),
  outcome('L1', '03-02T16:00', 'interested', 'contacting', 'engaged', ANA, 'call'),
  firstContact('L1', '03-02T16:00', 'met'),
  stage('L1', '03-02T16:00', 'contacting', 'engaged'),
  outcome('L1', '03-05T11:00', 'proposal_requested', 'engaged', 'proposal', ANA, null),
  stage('L1', '03-05T11:00', 'engaged', 'proposal'),
  outcome('L1', '03-09T12:00', 'enrolled', 'proposal', 'enrolled', ANA, null),
  stage('L1', '03-09T12:00', 'proposal', 'enrolled'),
  // L2
  ...start('L2', '03-04T09:00', ANA),
  sent('L2', '03-04T13:00', 'welcome'),
  due('L2', '03-04T15:00', 'call'),
  outcome('L2', '03-04T15:30', 'no_answer', 'contacting', 'contacting', ANA, 'call'),
  firstContact('L2', '03-04T15:30', 'met'),
  due('L2', '03-05T15:00', 'linkedin'),
  missed('L2', '03-08T15:00', 'linkedin', '03-05T15:00'),
  sent('L2', '03-08T15:00', 'first-email'),
  due('L2', '03-11T15:00', 'call'),
  outcome('L2', '03-11T16:00', 'no_answer', 'contacting', 'contacting', ANA, 'call'),
  sent('L2', '03-12T15:00', 'break-up-email'),
  ev('L2', 'cadence_exhausted', '03-14T15:00', { run: 1, touches: 5 }),
  stage('L2', '03-14T15:00', 'contacting', 'archived'),
  // L3
  ...start('L3', '03-01T08:00', BEN),
  sent('L3', '03-01T10:00', 'welcome'),
  due('L3', '03-01T15:00', 'call'),
  ev('L3', 'sla_missed', '03-02T08:00', { dueAt: at('03-02T08:00') }),
  missed('L3', '03-03T15:00', 'call', '03-01T15:00'),
  sent('L3', '03-03T15:00', 'first-email'),
  outcome('L3', '03-03T18:00', 'replied', 'contacting', 'engaged', 'inbound-email', null),
  firstContact('L3', '03-03T18:00', 'breached'),
  stage('L3', '03-03T18:00', 'contacting', 'engaged'),
  ev('L3', 'lead_stalled', '03-08T18:00', { stage: 'engaged', days: 5 }),
  sent('L3', '03-09T10:00', 'reactivation'),
  outcome('L3', '03-10T09:00', 'meeting_scheduled', 'engaged', 'engaged', BEN, null),
  // L4
  ...start('L4', '03-03T12:00', ANA),
  sent('L4', '03-03T14:00', 'welcome'),
  due('L4', '03-04T10:00', 'call'),
  outcome('L4', '03-04T11:00', 'no_answer', 'contacting', 'contacting', ANA, 'call'),
  firstContact('L4', '03-04T11:00', 'met'),
  ev('L4', 'lead_reassigned', '03-05T09:00', { from: ANA, to: BEN }),
  due('L4', '03-06T10:00', 'linkedin'),
  outcome('L4', '03-06T17:00', 'contacted', 'contacting', 'engaged', BEN, 'linkedin'),
  stage('L4', '03-06T17:00', 'contacting', 'engaged'),
  outcome('L4', '03-07T10:00', 'handed_to_closer', 'engaged', 'closing', BEN, null),
  stage('L4', '03-07T10:00', 'engaged', 'closing'),
  outcome('L4', '03-13T10:00', 'enrolled', 'closing', 'enrolled', 'zoho', null),
  stage('L4', '03-13T10:00', 'closing', 'enrolled'),
  // L5: February is context only
  ...start('L5', '02-10T10:00', ANA),
  sent('L5', '02-10T14:00', 'welcome'),
  due('L5', '02-11T15:00', 'call'),
  outcome('L5', '02-11T16:00', 'no_answer', 'contacting', 'contacting', ANA, 'call'),
  firstContact('L5', '02-11T16:00', 'met'),
  sent('L5', '02-13T15:00', 'first-email'),
  stage('L5', '02-25T10:00', 'contacting', 'nurturing'),
  ev('L5', 'lead_reactivated', '03-06T09:00', { from: 'nurturing', by: 'command' }),
  stage('L5', '03-06T09:00', 'nurturing', 'contacting'),
  due('L5', '03-07T15:00', 'call'),
  outcome('L5', '03-07T15:30', 'call_back_later', 'contacting', 'engaged', ANA, 'call'),
  stage('L5', '03-07T15:30', 'contacting', 'engaged'),
  ev('L5', 'lead_stalled', '03-12T15:30', { stage: 'engaged', days: 5 }),
  sent('L5', '03-13T10:00', 'reactivation'),
  outcome('L5', '03-16T10:00', 'interested', 'engaged', 'engaged', ANA, null), // after the period
  // L6
  ...start('L6', '03-10T10:00', BEN),
  sent('L6', '03-10T12:00', 'welcome'),
  due('L6', '03-10T15:00', 'call'),
  ev('L6', 'sla_missed', '03-11T10:00', { dueAt: at('03-11T10:00') }),
  outcome('L6', '03-12T09:00', 'not_interested', 'contacting', 'lost', BEN, 'call'),
  firstContact('L6', '03-12T09:00', 'breached'),
  stage('L6', '03-12T09:00', 'contacting', 'lost'),
  // L7
  ...start('L7', '03-13T20:00', ANA),
  sent('L7', '03-14T13:00', 'welcome'),
  due('L7', '03-14T14:00', 'call'),
  outcome('L7', '03-14T16:00', 'opted_out', 'contacting', 'opted_out', 'unsubscribe-link', 'call'),
  stage('L7', '03-14T16:00', 'contacting', 'opted_out'),
  // L8: waiting for an owner
  ev('L8', 'lead_enrolled', '03-14T10:00', { source: 'web-form', cadence: 'default@1' }),
  stage('L8', '03-14T10:00', 'new', 'contacting'),
  // L9: nothing in the period
  ...start('L9', '01-05T10:00', BEN),
  sent('L9', '01-05T13:00', 'welcome'),
  stage('L9', '01-20T10:00', 'contacting', 'archived'),
  ev('L9', 'lead_returned', '03-16T09:00', { source: 'web-form' }),
  ev('L9', 'lead_reactivated', '03-16T09:00', { from: 'archived', by: 'new_interaction' }),
  stage('L9', '03-16T09:00', 'archived', 'contacting'),
];

/** Four decimals are plenty to check hand arithmetic; exact integers stay exact. */
function round4<T>(value: T): T {
  if (typeof value === 'number') return (Math.round(value * 1e4) / 1e4) as T;
  if (Array.isArray(value)) return value.map(round4) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, round4(v)])) as T;
  return value;
}

const report = () => computeKpis({ events, leads, period, settings, now });

test('overall figures: every one computed by hand from the fixture', () => {
  expect(round4(report().overall)).toEqual({
    // Created in [03-01, 03-15): L1 L2 L3 L4 L6 L7 L8 = 7 (L5 in February, L9 in January).
    leadsCreated: 7,
    // With an event in the period: L1..L8 = 8 (L9's are in January and on 03-16).
    leadsManaged: 8,
    // lead_assigned L1 L2 L3 L4 L6 L7 (6) + lead_reassigned L4 (1) = 7; 7 / 2 weeks = 3.5.
    assignments: 7,
    assignmentsPerWeek: 3.5,
    // call = outcomes closing a call task (touchChannel 'call'), opt-outs excluded:
    //   L1 interested ✓, L2 no_answer ×2, L4 no_answer, L5 call_back_later ✓, L6 not_interested ✓ → 3/6 = 50 %
    //   (L3's call was missed; L7's opt-out does not count; L5's February call is outside.)
    // linkedin: L4 contacted ✓ → 1/1 = 100 % (L2's LinkedIn task was missed).
    // email = non-welcome emails sent: L2 03-08, L2 03-12, L3 03-03 ✓ (reply 03-03 18:00), L3 03-09 ✓
    //   (meeting_scheduled 03-10 before any other touch), L5 03-13 (answer on 03-16 is after the period) → 2/5 = 40 %
    touchesMade: { call: 6, linkedin: 1, email: 5 },
    touchesAnswered: { call: 3, linkedin: 1, email: 2 },
    contactRatePercent: { call: 50, linkedin: 100, email: 40 },
    // Enrolled or archived in the period: L1 (1 touch: the call), L2 (4: call, email, call, email; the missed
    // LinkedIn is not a touch), L4 (2: call, LinkedIn; the enrolment by zoho closed no task) → 7/3 = 2.3333.
    leadsClosedOrArchived: 3,
    touchesBeforeCloseAvg: 2.3333,
    // Creation cohort, hours to first_contact: L1 6, L2 6.5, L3 58, L4 23, L6 47 → 140.5/5 = 28.1;
    // p90 nearest rank ⌈0.9×5⌉ = 5th of [6, 6.5, 23, 47, 58] = 58.
    firstContactAvgHours: 28.1,
    firstContactP90Hours: 58,
    // SLA 24 h: met L1 L2 L4; missed L3 L6, and L8 (never contacted, deadline 03-15 10:00 before now);
    // L7 opted out at 20 h, before its deadline: not judged → 3/6 = 50 %.
    slaJudged: 6,
    slaMet: 3,
    firstContactWithinSlaPercent: 50,
    // Stalled in the period: L3 (revived by meeting_scheduled 03-10), L5 (its answer came 03-16) → 1/2.
    leadsStalled: 2,
    stalledReactivated: 1,
    stalledReactivatedPercent: 50,
    // Cohort contacted: L1 L2 L3 L4 L6 = 5; of them reached proposal/closing/enrolled: L1 L4 → 2/5 = 40 %.
    cohortContacted: 5,
    cohortProposalOrCloser: 2,
    contactedToProposalPercent: 40,
    // Active now: L3 (ben), L5 (ana), L8 (nobody), L9 (ben) = 4. Owned active 3 over 2 executives = 1.5;
    // caps ana 3 + ben 4 = 7 → 3/7 = 42.8571 %.
    activeLeads: 4,
    executives: 2,
    cap: 7,
    activeLeadsPerExecutive: 1.5,
    capUsagePercent: 42.8571,
    // Outcomes by a person in the period that leave the lead open (✓ = sets a next step):
    //   L1 interested ✓, proposal_requested ✓ (enrolled: closed, not counted)
    //   L2 no_answer ✗ ×2 (still in the cadence)
    //   L3 meeting_scheduled ✓ (the reply was inbound-email, not a person)
    //   L4 no_answer ✗, contacted ✓, handed_to_closer ✓ (enrolled by zoho: not a person)
    //   L5 call_back_later ✓      L6 not_interested → lost: closed     L7 opt-out: never counted
    //   → 6/9 = 66.6667 %
    outcomesNeedingNextStep: 9,
    outcomesWithNextStep: 6,
    nextStepPercent: 66.6667,
    // Enrolled in the period: L1 03-02 10:00 → 03-09 12:00 = 7 d 2 h = 7.0833 d; L4 03-03 12:00 → 03-13 10:00 =
    // 9 d 22 h = 9.9167 d. Median = rank ⌈0.5×2⌉ = 1st = 7.0833; p90 = rank ⌈1.8⌉ = 2nd = 9.9167.
    leadsEnrolled: 2,
    velocityMedianDays: 7.0833,
    velocityP90Days: 9.9167,
    // 3000 × 2 executives × 14/30 = 2800; 2800 / 8 managed = 350.
    teamCost: 2800,
    costPerLeadManaged: 350,
    // Enrolled L1 + L4 (DS-101) = 2000. Created: DS-101 L1 L4 L6 L7 = 4000 + PM-201 L2 L3 L8 = 1800 → 5800;
    // baseline 0.1 × 5800 = 580; incremental 2000 − 580 = 1420.
    revenue: 2000,
    baselineRevenue: 580,
    incrementalValue: 1420,
    // first_contact events in the period: L1 L2 L3 L4 L6 = 5. Reactivated: L5 (lead_reactivated 03-06), L3 (revived 03-10).
    leadsFirstContacted: 5,
    leadsReactivated: 2,
  });
});

test('by executive: attributed to the current owner (L4, worked by ana first, is all ben\'s)', () => {
  const { byExecutive } = report();
  expect(Object.keys(byExecutive)).toEqual([ANA, BEN]); // L8 has no owner: overall only
  // ana: L1 L2 L5 L7.
  expect(round4(byExecutive[ANA])).toEqual({
    leadsCreated: 3, // L1 L2 L7
    leadsManaged: 4, // L1 L2 L5 L7
    assignments: 3, // L1 L2 L7 → 3/2 = 1.5 a week
    assignmentsPerWeek: 1.5,
    touchesMade: { call: 4, linkedin: 0, email: 3 }, // calls L1, L2 ×2, L5; emails L2 ×2, L5
    touchesAnswered: { call: 2, linkedin: 0, email: 0 }, // L1 interested, L5 call_back_later
    contactRatePercent: { call: 50, linkedin: null, email: 0 },
    leadsClosedOrArchived: 2, // L1 (1 touch), L2 (4) → 2.5
    touchesBeforeCloseAvg: 2.5,
    firstContactAvgHours: 6.25, // L1 6, L2 6.5 → 12.5/2; p90 rank ⌈1.8⌉ = 2nd = 6.5
    firstContactP90Hours: 6.5,
    slaJudged: 2, // L1 L2 met; L7 not judged
    slaMet: 2,
    firstContactWithinSlaPercent: 100,
    leadsStalled: 1, // L5, not revived in the period
    stalledReactivated: 0,
    stalledReactivatedPercent: 0,
    cohortContacted: 2, // L1 L2; L1 reached proposal → 50 %
    cohortProposalOrCloser: 1,
    contactedToProposalPercent: 50,
    activeLeads: 1, // L5; cap 3 → 33.3333 %
    executives: 1,
    cap: 3,
    activeLeadsPerExecutive: 1,
    capUsagePercent: 33.3333,
    outcomesNeedingNextStep: 5, // L1 ✓✓, L2 ✗✗, L5 ✓ → 3/5
    outcomesWithNextStep: 3,
    nextStepPercent: 60,
    leadsEnrolled: 1, // L1
    velocityMedianDays: 7.0833,
    velocityP90Days: 7.0833,
    teamCost: 1400, // 3000 × 1 × 14/30; / 4 managed = 350
    costPerLeadManaged: 350,
    revenue: 1000, // L1
    baselineRevenue: 260, // 0.1 × (L1 1000 + L2 600 + L7 1000)
    incrementalValue: 740,
    leadsFirstContacted: 2, // L1 L2 (L5's first contact was in February)
    leadsReactivated: 1, // L5
  });
  // ben: L3 L4 L6 L9.
  expect(round4(byExecutive[BEN])).toEqual({
    leadsCreated: 3, // L3 L4 L6
    leadsManaged: 3, // L9 had nothing in the period
    assignments: 4, // L3, L4 assigned + reassigned, L6 → 4/2 = 2
    assignmentsPerWeek: 2,
    touchesMade: { call: 2, linkedin: 1, email: 2 }, // calls L4 (ana's no_answer), L6; LinkedIn L4; emails L3 ×2
    touchesAnswered: { call: 1, linkedin: 1, email: 2 }, // L6 not_interested, L4 contacted, L3 both
    contactRatePercent: { call: 50, linkedin: 100, email: 100 },
    leadsClosedOrArchived: 1, // L4: 2 touches
    touchesBeforeCloseAvg: 2,
    firstContactAvgHours: 42.6667, // L3 58 + L4 23 + L6 47 = 128/3; p90 rank 3 of [23, 47, 58] = 58
    firstContactP90Hours: 58,
    slaJudged: 3, // L4 met; L3 L6 missed → 33.3333 %
    slaMet: 1,
    firstContactWithinSlaPercent: 33.3333,
    leadsStalled: 1, // L3, revived
    stalledReactivated: 1,
    stalledReactivatedPercent: 100,
    cohortContacted: 3, // L3 L4 L6; L4 reached the closer → 33.3333 %
    cohortProposalOrCloser: 1,
    contactedToProposalPercent: 33.3333,
    activeLeads: 2, // L3 L9; default cap 4 → 50 %
    executives: 1,
    cap: 4,
    activeLeadsPerExecutive: 2,
    capUsagePercent: 50,
    outcomesNeedingNextStep: 4, // L3 meeting ✓; L4 no_answer ✗ (recorded by ana), contacted ✓, handed_to_closer ✓ → 3/4
    outcomesWithNextStep: 3,
    nextStepPercent: 75,
    leadsEnrolled: 1, // L4
    velocityMedianDays: 9.9167,
    velocityP90Days: 9.9167,
    teamCost: 1400, // / 3 managed = 466.6667
    costPerLeadManaged: 466.6667,
    revenue: 1000, // L4
    baselineRevenue: 260, // 0.1 × (L3 600 + L4 1000 + L6 1000)
    incrementalValue: 740,
    leadsFirstContacted: 3, // L3 L4 L6
    leadsReactivated: 1, // L3 (L9's reactivation is on 03-16)
  });
});

test('by country: CO in full; capacity and cost are not split by country', () => {
  const { byCountry } = report();
  expect(Object.keys(byCountry)).toEqual(['CO', 'MX']);
  // CO: L1 (ana), L3 (ben), L5 (ana), L6 (ben), L8 (nobody).
  expect(round4(byCountry.CO)).toEqual({
    leadsCreated: 4, // L1 L3 L6 L8
    leadsManaged: 5,
    assignments: 3, // L1 L3 L6 → 1.5 a week
    assignmentsPerWeek: 1.5,
    touchesMade: { call: 3, linkedin: 0, email: 3 }, // calls L1 L5 L6; emails L3 ×2, L5
    touchesAnswered: { call: 3, linkedin: 0, email: 2 },
    contactRatePercent: { call: 100, linkedin: null, email: 66.6667 },
    leadsClosedOrArchived: 1, // L1: 1 touch
    touchesBeforeCloseAvg: 1,
    firstContactAvgHours: 37, // L1 6 + L3 58 + L6 47 = 111/3
    firstContactP90Hours: 58,
    slaJudged: 4, // L1 met; L3 L6 L8 missed
    slaMet: 1,
    firstContactWithinSlaPercent: 25,
    leadsStalled: 2, // L3 revived, L5 not
    stalledReactivated: 1,
    stalledReactivatedPercent: 50,
    cohortContacted: 3, // L1 L3 L6 → L1 reached proposal
    cohortProposalOrCloser: 1,
    contactedToProposalPercent: 33.3333,
    activeLeads: 3, // L3 L5 L8
    executives: null,
    cap: null,
    activeLeadsPerExecutive: null,
    capUsagePercent: null,
    outcomesNeedingNextStep: 4, // L1 ✓✓, L3 ✓, L5 ✓
    outcomesWithNextStep: 4,
    nextStepPercent: 100,
    leadsEnrolled: 1,
    velocityMedianDays: 7.0833,
    velocityP90Days: 7.0833,
    teamCost: null,
    costPerLeadManaged: null,
    revenue: 1000,
    baselineRevenue: 320, // 0.1 × (L1 1000 + L3 600 + L6 1000 + L8 600)
    incrementalValue: 680,
    leadsFirstContacted: 3, // L1 L3 L6
    leadsReactivated: 2, // L3 L5
  });
});

test('by course: DS-101 (L1 L4 L6 L7)', () => {
  const ds = round4(report().byCourse['DS-101']!);
  expect(Object.keys(report().byCourse)).toEqual(['DS-101', 'PM-201']);
  expect(ds).toMatchObject({
    leadsCreated: 4,
    touchesMade: { call: 3, linkedin: 1, email: 0 }, // calls L1 L4 L6 (L7's opt-out is no touch)
    contactRatePercent: { call: 66.6667, linkedin: 100, email: null }, // L1 ✓ L4 ✗ L6 ✓
    leadsEnrolled: 2,
    velocityMedianDays: 7.0833,
    velocityP90Days: 9.9167,
    revenue: 2000,
    baselineRevenue: 400, // 0.1 × 4 × 1000
    incrementalValue: 1600,
  });
});

test('activity goals per executive for the 14 days', () => {
  const { activity } = report();
  // Goals: 0.2 new leads contacted a day × 14 = 2.8; 0.5 reactivations a week × 2 = 1; next step 75 %.
  expect(round4(activity)).toEqual({
    [ANA]: {
      newLeadsContacted: 2, reactivated: 1, nextStepPercent: 60,
      goals: { newLeadsContacted: 2.8, reactivated: 1, nextStepPercent: 75 },
      met: { newLeadsContacted: false, reactivated: true, nextStepPercent: false },
    },
    [BEN]: {
      newLeadsContacted: 3, reactivated: 1, nextStepPercent: 75,
      goals: { newLeadsContacted: 2.8, reactivated: 1, nextStepPercent: 75 },
      met: { newLeadsContacted: true, reactivated: true, nextStepPercent: true },
    },
  });
});

test('funnel of the leads created in the period, followed up to now', () => {
  // Created 7; contacted L1 L2 L3 L4 L6; engaged or beyond L1 L3 L4; proposal or beyond L1 L4; enrolled L1 L4.
  // L5's reactivation by command and L9's return after the period start no follow-up in it.
  expect(report().funnel).toEqual({ created: 7, people: 7, contacted: 5, engaged: 3, proposalOrCloser: 2, enrolled: 2 });
});

test('the funnel counts interests: a person back for another course enters again and moves only by what that follow-up did', () => {
  const people = [lead('P1', ANA, 'CO', 'PM-201', '03-09T10:00', 'contacting'), lead('P2', ANA, 'CO', 'DS-101', '01-10T10:00', 'contacting')];
  const story: KpiEvent[] = [
    // P1: first follow-up in the period, engaged then lost; back on 03-09 for PM-201 and contacted again.
    ev('P1', 'lead_enrolled', '03-02T10:00', { source: 'web-form', createdAt: at('03-02T09:00') }),
    ev('P1', 'first_contact', '03-02T12:00'),
    ev('P1', 'outcome_recorded', '03-03T10:00', { outcome: 'interested', stageAfter: 'engaged' }),
    ev('P1', 'stage_changed', '03-03T10:00', { from: 'contacting', to: 'engaged' }),
    ev('P1', 'stage_changed', '03-05T10:00', { from: 'engaged', to: 'lost' }),
    ev('P1', 'lead_enrolled', '03-09T10:05', { source: 'web-form', returning: 'lost', createdAt: at('03-09T10:00') }),
    ev('P1', 'first_contact', '03-10T10:00'),
    // P2: from January's nurturing, asking again in the period: a restarted follow-up, answered.
    ev('P2', 'lead_enrolled', '01-10T10:00', { source: 'api' }),
    ev('P2', 'first_contact', '01-10T12:00'),
    ev('P2', 'stage_changed', '01-25T10:00', { from: 'contacting', to: 'nurturing' }),
    ev('P2', 'lead_returned', '03-06T10:00', { source: 'web-form', course: 'DS-101' }),
    ev('P2', 'lead_reactivated', '03-06T10:00', { from: 'nurturing', by: 'new_interaction' }),
    ev('P2', 'stage_changed', '03-06T10:00', { from: 'nurturing', to: 'contacting' }),
    ev('P2', 'outcome_recorded', '03-07T10:00', { outcome: 'replied', stageAfter: 'engaged' }),
    ev('P2', 'stage_changed', '03-07T10:00', { from: 'contacting', to: 'engaged' }),
  ];
  const { funnel } = computeKpis({ events: story, leads: people, period, settings, now });
  // P1 twice (engaged the first time only), P2's restart once (its January follow-up is outside the period).
  expect(funnel).toEqual({ created: 3, people: 2, contacted: 3, engaged: 2, proposalOrCloser: 0, enrolled: 0 });
  // A report of the first week does not see P1's second follow-up (it started on 03-09).
  expect(computeKpis({ events: story, leads: people, period: { from: period.from, to: at('03-08T00:00') }, settings, now }).funnel)
    .toEqual({ created: 2, people: 2, contacted: 2, engaged: 2, proposalOrCloser: 0, enrolled: 0 });
});

test('events outside the period count for nothing (the period is half-open)', () => {
  const outside: KpiEvent[] = [
    ev('L1', 'lead_assigned', '03-15T00:00', { owner: ANA, pool: 'general' }), // exactly `to`: excluded
    ev('L2', 'lead_reassigned', '02-28T23:59', { from: BEN, to: ANA }),
    due('L3', '03-15T00:00', 'call'),
    outcome('L3', '03-15T01:00', 'no_answer', 'engaged', 'engaged', BEN, 'call'),
    sent('L2', '03-16T10:00', 'nurturing'),
    ev('L4', 'lead_stalled', '03-15T00:00', { stage: 'closing', days: 10 }),
    stage('L9', '03-17T10:00', 'contacting', 'enrolled'),
    ev('L9', 'lead_assigned', '01-05T10:00', { owner: BEN, pool: 'general' }),
    ev('L9', 'lead_updated', '03-15T00:00', { fields: ['phone'] }), // at `to`: L9 is still not managed
  ];
  const withOutside = computeKpis({ events: [...outside, ...events], leads, period, settings, now });
  expect(withOutside).toEqual(report());
});

test('the creation cohort is followed up to now: a first contact after the period still counts for its lead', () => {
  // L8 (created 03-14 10:00) contacted on 03-15 05:00, after `to` but before now: 19 h, within the SLA.
  const late = [
    outcome('L8', '03-15T05:00', 'no_answer', 'contacting', 'contacting', BEN, 'call'),
    firstContact('L8', '03-15T05:00', 'met'),
  ];
  const { overall, funnel } = computeKpis({ events: [...events, ...late], leads, period, settings, now });
  // SLA: met L1 L2 L4 L8 of 6 → 66.6667 %; hours (140.5 + 19)/6 = 26.5833; funnel contacted 6.
  expect(round4(overall)).toMatchObject({ slaJudged: 6, slaMet: 4, firstContactWithinSlaPercent: 66.6667, firstContactAvgHours: 26.5833 });
  expect(funnel.contacted).toBe(6);
  // Activity stays in the period: still 5 first contacts, 9 outcomes to judge.
  expect(overall).toMatchObject({ leadsFirstContacted: 5, outcomesNeedingNextStep: 9 });
});

test('a lead whose SLA deadline is still ahead at now is not judged yet', () => {
  // Seen from 03-15 06:00, L8's deadline (03-15 10:00) has not come: judged 5, met 3.
  const { overall } = computeKpis({ events, leads, period, settings, now: at('03-15T06:00') });
  expect(overall).toMatchObject({ slaJudged: 5, slaMet: 3, firstContactWithinSlaPercent: 60 });
});

test('no data gives zeros and nulls, never NaN', () => {
  const empty = computeKpis({ events: [], leads: [], period, settings, now });
  const emptyPeriod = computeKpis({ events, leads, period: { from: period.from, to: period.from }, settings, now });
  const numbers: unknown[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'number') numbers.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(empty);
  walk(emptyPeriod);
  expect(numbers.every((n) => Number.isFinite(n))).toBe(true);
  expect(empty).toMatchObject({ byExecutive: {}, byCountry: {}, byCourse: {}, activity: {}, funnel: { created: 0, people: 0, contacted: 0, engaged: 0, proposalOrCloser: 0, enrolled: 0 } });
  expect(empty.overall).toMatchObject({
    leadsCreated: 0, leadsManaged: 0, assignmentsPerWeek: 0, contactRatePercent: { call: null, linkedin: null, email: null },
    touchesBeforeCloseAvg: null, firstContactAvgHours: null, firstContactP90Hours: null, firstContactWithinSlaPercent: null,
    stalledReactivatedPercent: null, contactedToProposalPercent: null, executives: 0, cap: 0, activeLeadsPerExecutive: null,
    capUsagePercent: null, nextStepPercent: null, velocityMedianDays: null, velocityP90Days: null, teamCost: 0,
    costPerLeadManaged: null, revenue: 0, baselineRevenue: 0, incrementalValue: 0,
  });
  expect(emptyPeriod.overall).toMatchObject({ assignmentsPerWeek: null, leadsManaged: 0, teamCost: 0, costPerLeadManaged: null });
});

test('events of a lead without a snapshot are ignored; a bad date is refused', () => {
  const stray = [...start('LX', '03-05T10:00', ANA), firstContact('LX', '03-05T11:00', 'met')];
  expect(computeKpis({ events: [...events, ...stray], leads, period, settings, now })).toEqual(report());
  expect(() => computeKpis({ events: [ev('L1', 'lead_assigned', 'nonsense')], leads, period, settings, now })).toThrow(/occurredAt/);
  expect(() => computeKpis({ events, leads, period: { from: period.to, to: period.from }, settings, now })).toThrow(/period/);
});

test('percentiles are nearest-rank', () => {
  expect(percentile([], 50)).toBeNull();
  expect(percentile([5], 90)).toBe(5);
  expect(percentile([4, 1, 3, 2], 50)).toBe(2); // ⌈0.5×4⌉ = 2nd
  expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9); // ⌈0.9×10⌉ = 9th
  expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10); // ⌈9.9⌉ = 10th
});

describe('the next-step rule agrees with the lifecycle', () => {
  const when = new Date('2027-03-04T15:00:00.000Z');
  // No next step before the outcome: whatever the outcome leaves is its own.
  const leadIn = (stage: Stage) => leadStateIn(stage, { nextStep: null });

  const open = STAGES.filter((s) => !TERMINAL_STAGES.includes(s));
  const cases = open.flatMap((stage) => OUTCOME_TYPES.map((type) => [stage, type] as const));
  test.each(cases)('in %s, outcome %s', (stage, type) => {
    const state = leadIn(stage);
    const recorded = { type, reason: 'other' as const, callBackAt: '2027-03-06T15:00:00.000Z', closer: 'Carla' };
    if (rejectOutcome(state, recorded, when)) return;
    const [event] = applyOutcome(state, recorded, when);
    expect(leavesNextStep(type, event!.data.stageAfter as Stage)).toBe(state.nextStep !== null);
  });
});

test('a person back for a new follow-up after one that ended lost counts as reactivated, once', () => {
  const back = [
    ...start('L6', '03-10T10:00', BEN),
    stage('L6', '03-11T10:00', 'contacting', 'lost'),
    ev('L6', 'lead_enrolled', '03-12T09:00', { source: 'web-form', cadence: 'default@1', returning: 'lost' }),
    ev('L6', 'lead_reactivated', '03-12T09:05', { from: 'nurturing', by: 'new_interaction' }),
  ];
  const others = events.filter((e) => e.leadId !== 'L6');
  const before = computeKpis({ events: others, leads, period, settings, now }).overall.leadsReactivated;
  const after = computeKpis({ events: [...others, ...back], leads, period, settings, now }).overall.leadsReactivated;
  expect(after).toBe(before + 1);
  // The same return outside the period counts for nothing in it.
  const later = back.map((e) => (e.type === 'lead_enrolled' && e.data.returning ? { ...e, occurredAt: at('03-16T09:00') } : e)).filter((e) => e.type !== 'lead_reactivated');
  expect(computeKpis({ events: [...others, ...later], leads, period, settings, now }).overall.leadsReactivated).toBe(before);
});
