import type { LeadInput } from '../../domain/lead';

let counter = 0;

/** A valid lead from Bogotá; override what a test cares about. */
export function aLead(overrides: Partial<LeadInput> = {}): LeadInput {
  counter += 1;
  return {
    firstName: 'Valentina',
    lastName: 'Rojas',
    email: `valentina.rojas+${Date.now()}-${counter}@example.co`,
    phone: '+57 300 123 4567',
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
