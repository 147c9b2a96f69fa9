import { z } from 'zod';

/**
 * The org the sandbox pretends to be: its users and the values of its picklists. A real org's
 * administrators rename and add picklist values; the default here is a Spanish-speaking education
 * company's org, so a client that sends Zoho's stock English labels or our own codes is refused as a
 * real org would refuse it. Tests replace any of it (`setOrg`) to show a value the org lacks.
 *
 * Picklist values have Zoho's two names: `actual_value`, what the API stores and expects, and
 * `display_value`, what people see. Zoho keeps the stock `actual_value`s when a stock value is
 * renamed (or shown translated), so the default org has both kinds: stock values shown in Spanish
 * and values the org created in Spanish.
 */

export interface PicklistValue {
  display_value: string;
  actual_value: string;
}

export interface SandboxUser {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  /** Only `active` users own records; Zoho refuses the others with INVALID_DATA. */
  status: 'active' | 'disabled';
}

export interface SandboxOrg {
  users: SandboxUser[];
  /** module → field api_name → its values. A field listed here is a picklist; every other field keeps its own type. */
  picklists: Record<string, Record<string, PicklistValue[]>>;
}

const picklistValueSchema = z.object({ display_value: z.string().min(1), actual_value: z.string().min(1) });
export const orgPatchSchema = z.object({
  users: z
    .array(
      z.object({
        id: z.string().regex(/^\d{5,19}$/),
        first_name: z.string(),
        last_name: z.string().min(1),
        email: z.email(),
        status: z.enum(['active', 'disabled']).default('active'),
      }),
    )
    .optional(),
  // module → field → values (null turns the field back into free text).
  picklists: z.record(z.string(), z.record(z.string(), z.array(picklistValueSchema).nullable())).optional(),
});
export type OrgPatch = z.input<typeof orgPatchSchema>;

/** A value whose display and actual names are the same: one the org created itself. */
const own = (value: string): PicklistValue => ({ display_value: value, actual_value: value });
/** A stock value the org shows under another name. */
const shown = (display: string, actual: string): PicklistValue => ({ display_value: display, actual_value: actual });

export function defaultOrg(): SandboxOrg {
  return {
    users: [
      { id: '6310180000000412001', first_name: 'Sandbox', last_name: 'Admin', email: 'admin@sandbox.example', status: 'active' },
      { id: '6310180000000412013', first_name: 'Sandbox', last_name: 'Executive', email: 'executive@sandbox.example', status: 'active' },
      { id: '6310180000000412025', first_name: 'Sandbox', last_name: 'Closer', email: 'closer@sandbox.example', status: 'active' },
      { id: '6310180000000412037', first_name: 'Ex', last_name: 'Empleada', email: 'ex.empleada@sandbox.example', status: 'disabled' },
    ],
    picklists: {
      Leads: {
        // Zoho's stock statuses, shown in Spanish: the API still speaks the actual (English) values.
        Lead_Status: [
          shown('-Ninguno-', '-None-'),
          shown('No contactado', 'Not Contacted'),
          shown('Intento de contacto', 'Attempted to Contact'),
          shown('Contactar en el futuro', 'Contact in Future'),
          shown('Contactado', 'Contacted'),
          shown('Precalificado', 'Pre-Qualified'),
          shown('No calificado', 'Not Qualified'),
          shown('Cliente potencial perdido', 'Lost Lead'),
          shown('Cliente potencial basura', 'Junk Lead'),
        ],
        // The org replaced the stock sources with its own channels.
        Lead_Source: [
          own('-None-'),
          own('Formulario web'),
          own('Importación'),
          own('Integración API'),
          own('Referido'),
          own('Redes sociales'),
          own('Feria educativa'),
        ],
      },
      Tasks: {
        Status: [own('Not Started'), own('Deferred'), own('In Progress'), own('Completed'), own('Waiting for input')],
        Priority: [own('Highest'), own('High'), own('Normal'), own('Low'), own('Lowest')],
      },
      Calls: {
        Call_Type: [own('Outbound'), own('Inbound'), own('Missed')],
        Call_Purpose: [own('-None-'), own('Prospecting'), own('Administrative'), own('Negotiation'), own('Demo'), own('Project'), own('Desk')],
        // Zoho's stock call results, shown in Spanish.
        Call_Result: [
          shown('-Ninguno-', '-None-'),
          shown('Interesado', 'Interested'),
          shown('No interesado', 'Not interested'),
          shown('Sin respuesta/Ocupado', 'No response/Busy'),
          shown('Pidió más información', 'Requested more info'),
          shown('Pidió que lo llamen', 'Requested call back'),
          shown('Número no válido', 'Invalid number'),
        ],
      },
    },
  };
}

export function applyOrgPatch(org: SandboxOrg, patch: z.output<typeof orgPatchSchema>): SandboxOrg {
  const next = structuredClone(org);
  if (patch.users) next.users = patch.users.map((u) => ({ ...u }));
  for (const [module, fields] of Object.entries(patch.picklists ?? {})) {
    const current = (next.picklists[module] ??= {});
    for (const [field, values] of Object.entries(fields)) {
      if (values === null) delete current[field];
      else current[field] = values.map((v) => ({ ...v }));
    }
  }
  return next;
}

export const fullName = (u: Pick<SandboxUser, 'first_name' | 'last_name'>) => [u.first_name, u.last_name].filter(Boolean).join(' ');
