/**
 * The words people read, defined once for the web app, the emails, the reports and the workflow's
 * Temporal UI details: stage, outcome, channel, lost-reason, country and role names, and the Spanish
 * form of validation errors. Always Spanish: the JSON API keeps its English messages, and the
 * Portuguese and English of lead-facing emails travel with those emails' own phrases.
 */
import type { ZodError } from 'zod';
import type { Role } from './accounts';
import type { Channel } from './cadence';
import { COUNTRY_TIME_ZONES } from './calendar';
import type { Country, Stage } from './lead';
import type { LeadState, TouchStatus } from './lead-state';
import type { LostReason, OutcomeType } from './outcomes';

export const STAGE_LABELS: Record<Stage, string> = {
  new: 'Nuevo', contacting: 'En contacto', engaged: 'En conversación', proposal: 'Propuesta', closing: 'En cierre',
  enrolled: 'Matriculado', lost: 'Perdido', nurturing: 'Nurturing', archived: 'Archivado', opted_out: 'Dado de baja',
};

/** The same names inside a sentence: "the lead is already perdido". */
export const STAGE_LABELS_LOWERCASE = Object.fromEntries(
  Object.entries(STAGE_LABELS).map(([stage, label]) => [stage, label.toLowerCase()]),
) as Record<Stage, string>;

export const OUTCOME_LABELS: Record<OutcomeType, string> = {
  no_answer: 'No contestó', contacted: 'Contactado', replied: 'Respondió', interested: 'Interesado',
  not_interested: 'No le interesa', call_back_later: 'Volver a llamar', meeting_scheduled: 'Reunión agendada',
  proposal_requested: 'Pidió propuesta', proposal_sent: 'Propuesta enviada', handed_to_closer: 'Pasado a cierre',
  enrolled: 'Matriculado', lost: 'Perdido', opted_out: 'Pidió la baja', wrong_contact: 'Datos incorrectos',
};

export const LOST_REASON_LABELS: Record<LostReason, string> = {
  price: 'Precio', timing: 'No es el momento', competitor: 'Eligió a la competencia', no_budget: 'Sin presupuesto',
  not_a_fit: 'No encaja', not_interested: 'No le interesa', no_response: 'Sin respuesta', other: 'Otro',
};

export const CHANNEL_LABELS: Record<Channel, string> = { call: 'Llamada', email: 'Correo', linkedin: 'LinkedIn' };

/** Inside a sentence ("Toque 2/5 · correo"); LinkedIn keeps its capitals. */
export const CHANNEL_LABELS_LOWERCASE = Object.fromEntries(
  Object.entries(CHANNEL_LABELS).map(([channel, label]) => [channel, channel === 'linkedin' ? label : label.toLowerCase()]),
) as Record<Channel, string>;

export const TOUCH_STATUS_LABELS: Record<TouchStatus, string> = {
  planned: 'planificado', due: 'pendiente', done: 'hecho', missed: 'no realizado', skipped: 'cancelado',
  uncertain: 'incierto (pudo haberse enviado; no se repite)',
};

/** The first-contact SLA, lowercase: it follows "SLA primer contacto:". */
export const SLA_STATUS_LABELS: Record<LeadState['sla']['status'], string> = {
  pending: 'pendiente', met: 'cumplido', breached: 'incumplido',
};

export const ROLE_NAMES: Record<Role, string> = { executive: 'Ejecutiva de seguimiento', closer: 'Vendedor (cierre)', director: 'Dirección comercial' };

export const COUNTRY_NAMES: Record<Country, string> = {
  AR: 'Argentina', BO: 'Bolivia', BR: 'Brasil', CL: 'Chile', CO: 'Colombia', CR: 'Costa Rica', CU: 'Cuba',
  DO: 'República Dominicana', EC: 'Ecuador', SV: 'El Salvador', GT: 'Guatemala', HN: 'Honduras', MX: 'México',
  NI: 'Nicaragua', PA: 'Panamá', PY: 'Paraguay', PE: 'Perú', PR: 'Puerto Rico', UY: 'Uruguay', VE: 'Venezuela',
  ES: 'España', PT: 'Portugal', US: 'Estados Unidos',
};

/** Other names people type for our countries (English, Portuguese, short forms), besides the Spanish ones and the codes. */
const OTHER_COUNTRY_NAMES: Record<string, Country> = {
  Brazil: 'BR', 'Dominican Republic': 'DO', 'Rep. Dominicana': 'DO', Dominicana: 'DO', Salvador: 'SV', Spain: 'ES',
  'United States': 'US', 'Estados Unidos de América': 'US', 'EE. UU.': 'US', EUA: 'US', USA: 'US',
};

/** "Perú", "peru" and "PE" are the same country; so are "Costa Rica" and "costarica": no case, accents, blanks or punctuation. */
const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]/g, '');

const COUNTRY_BY_NAME = new Map<string, Country>([
  ...(Object.keys(COUNTRY_NAMES) as Country[]).map((code) => [fold(code), code] as const),
  ...(Object.entries(COUNTRY_NAMES) as [Country, string][]).map(([code, name]) => [fold(name), code] as const),
  ...Object.entries(OTHER_COUNTRY_NAMES).map(([name, code]) => [fold(name), code] as const),
]);

/** The country a person's free text names (a Zoho field, an import cell), or undefined. */
export const countryFromName = (text: string): Country | undefined => COUNTRY_BY_NAME.get(fold(text));

/** "lun 1 dic 10:30" in the lead's own time zone: the hour that matters for a call. */
export function leadTime(iso: string, country: Country): string {
  return new Intl.DateTimeFormat('es', {
    timeZone: COUNTRY_TIME_ZONES[country], weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(new Date(iso)).replace(/[.,]/g, '');
}

/** "hace 3 h", "en 2 días": how far a moment is from `now`. */
export function relative(iso: string, now: Date): string {
  const minutes = Math.round((Date.parse(iso) - now.getTime()) / 60_000);
  const abs = Math.abs(minutes);
  const amount = abs < 60 ? `${abs} min` : abs < 48 * 60 ? `${Math.round(abs / 60)} h` : `${Math.round(abs / 1440)} días`;
  return minutes < 0 ? `hace ${amount}` : `en ${amount}`;
}

type Issue = ZodError['issues'][number];

/** Field names as an executive knows them. */
export const FIELD_LABELS: Record<string, string> = {
  firstName: 'Nombre', lastName: 'Apellido', email: 'Correo', phone: 'Teléfono', linkedinUrl: 'LinkedIn',
  country: 'País', company: 'Empresa', jobTitle: 'Cargo', profile: 'Perfil', 'course.code': 'Código del curso',
  'course.name': 'Curso', 'course.startDate': 'Inicio del curso', source: 'Origen', urgency: 'Urgencia',
  benefit: 'Beneficio', language: 'Idioma', type: 'Resultado', reason: 'Motivo', callBackAt: 'Fecha y hora',
  note: 'Nota', owner: 'Responsable', closer: 'Vendedor', until: 'Hasta', name: 'Nombre', role: 'Rol',
  password: 'Contraseña', externalId: 'Id externo', createdAt: 'Fecha de creación',
};

export const fieldLabel = (path: string) => FIELD_LABELS[path] ?? (path || 'Formulario');

/**
 * The schemas speak English to API clients; people using the web app read the same rule in Spanish.
 * Translated from the issue's kind, so every schema gets Spanish messages without a second copy.
 * (zod's own Spanish locale does not replace this: it yields to the schemas' English messages and
 * words the rest for programmers, e.g. "se esperaba que texto tuviera <=40 caracteres".)
 */
export function spanishMessage(issue: Issue): string {
  // Parsed with `reportInput`, an issue says whether anything was given at all.
  const missing = 'input' in issue && (issue.input === undefined || issue.input === null || issue.input === '');
  switch (issue.code) {
    case 'invalid_type':
      return missing || !('input' in issue) ? 'es obligatorio' : 'tiene un tipo de dato no válido';
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? 'es obligatorio' : `debe tener al menos ${String(issue.minimum)} caracteres`;
      return `debe ser al menos ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'string') return `debe tener como máximo ${String(issue.maximum)} caracteres`;
      return `debe ser como máximo ${String(issue.maximum)}`;
    case 'invalid_format':
      switch (issue.format) {
        case 'email': return 'no es un correo válido';
        case 'url': return 'debe ser una dirección web (http o https)';
        case 'date': return 'debe ser una fecha AAAA-MM-DD';
        case 'datetime': return 'debe ser una fecha y hora válidas';
        case 'regex': return issue.path.at(-1) === 'phone' ? 'debe ser un teléfono, p. ej. +57 300 123 4567' : 'no tiene un formato válido';
        default: return 'no tiene un formato válido';
      }
    case 'invalid_value':
      return missing ? 'es obligatorio' : `debe ser uno de: ${issue.values.map(String).join(', ')}`;
    case 'invalid_union':
      return 'no es una opción válida';
    case 'custom':
      return CUSTOM_MESSAGES[issue.message] ?? 'no es válido';
    default:
      return 'no es válido';
  }
}

/** Our schemas' own refinements, English message → Spanish. */
const CUSTOM_MESSAGES: Record<string, string> = {
  'is required when the lead is lost': 'es obligatorio cuando el lead se pierde',
  'is required for call_back_later': 'es obligatoria para volver a llamar',
  'must change at least one field': 'cambia al menos un dato',
  'an early bird needs both a deadline and a price': 'la preventa necesita fecha límite y precio',
  'must be below the price': 'debe ser menor que el precio',
  'must be on or before the start date': 'debe ser igual o anterior al inicio',
};

/** Field path → Spanish messages, for a form shown again or an import preview. */
export function spanishFieldErrors(err: ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of err.issues) (fields[issue.path.map(String).join('.')] ??= []).push(spanishMessage(issue));
  return fields;
}

/** "Correo: no es un correo válido", one line per problem. */
export function spanishErrorLines(err: ZodError): string[] {
  return Object.entries(spanishFieldErrors(err)).flatMap(([path, messages]) => messages.map((m) => `${fieldLabel(path)}: ${m}`));
}
