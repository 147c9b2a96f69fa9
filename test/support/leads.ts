import { selectCadence } from '../../domain/cadence';
import { leadIdFor } from '../../domain/ids';
import { leadInputSchema, type LeadInput } from '../../domain/lead';
import type { LeadState } from '../../domain/lead-state';
import { defaultPolicy } from '../../domain/policy';

let counter = 0;

/** A valid lead from Bogotá; override what a test cares about. */
export function aLead(overrides: Partial<LeadInput> = {}): LeadInput {
  counter += 1;
  return {
    firstName: 'Valentina',
    lastName: 'Rojas',
    email: `valentina.rojas+${Date.now()}-${counter}@example.co`,
    phone: '+57 300 123 4567',
    linkedinUrl: 'https://www.linkedin.com/in/valentina-rojas',
    country: 'CO',
    company: 'Andes Datos SAS',
    jobTitle: 'Analista de datos',
    profile: 'b2c',
    course: { code: 'DS-101', name: 'Ciencia de Datos con Python', startDate: '2027-02-01', seatsLeft: 12 },
    source: 'web-form',
    urgency: 'normal',
    benefit: 'Cambiar a un rol de ciencia de datos',
    ...overrides,
  };
}

/** A lead's workflow state three days in, in `stage`, with its day-1 call open: for the pure lifecycle rules. */
export function leadStateIn(stage: LeadState['stage'], overrides: Partial<LeadState> = {}): LeadState {
  const input = leadInputSchema.parse(aLead());
  const lead = { ...input, leadId: leadIdFor(input.email), createdAt: '2027-03-01T15:00:00.000Z' };
  return {
    leadId: lead.leadId, workflowId: `lead-${lead.leadId}`, stage, stageSince: '2027-03-01T15:00:00.000Z', owner: null, lead,
    cadence: selectCadence({ profile: 'b2c', country: 'CO', courseCode: 'DS-101' }), policy: defaultPolicy(),
    enrolledAt: '2027-03-01T15:00:00.000Z', zohoLeadId: null,
    touches: [{ key: 'k1', kind: 'cadence', run: 1, step: 1, channel: 'call', template: 'first-call', status: 'due', dueAt: '2027-03-01T15:00:00.000Z' }],
    nextStep: { action: 'Toque 2/5 · correo', dueAt: '2027-03-03T15:00:00.000Z' },
    sla: { dueAt: '2027-03-02T15:00:00.000Z', status: 'pending', firstContactAt: null }, paused: null, contactProblem: false,
    lostReason: null, outcomes: [], lastProgressAt: '2027-03-01T15:00:00.000Z', cadenceRun: 1, cadenceStartedAt: '2027-03-01T15:00:00.000Z',
    stall: null, nurturingTouchesSent: 0, counts: { touchesDone: 0, touchesMissed: 0, outcomes: 0, reactivations: 0, escalations: 0 }, revision: 0,
    ...overrides,
  };
}
