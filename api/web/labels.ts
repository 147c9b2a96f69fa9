import type { Channel } from '../../domain/cadence';
import { COUNTRY_TIME_ZONES } from '../../domain/calendar';
import type { Country, Stage } from '../../domain/lead';
import type { TouchStatus } from '../../domain/lead-state';
import type { LostReason, OutcomeType } from '../../domain/outcomes';

export const STAGE_LABELS: Record<Stage, string> = {
  new: 'Nuevo', contacting: 'En contacto', engaged: 'En conversación', proposal: 'Propuesta', closing: 'En cierre',
  enrolled: 'Matriculado', lost: 'Perdido', nurturing: 'Nurturing', archived: 'Archivado', opted_out: 'Dado de baja',
};

export const OUTCOME_LABELS: Record<OutcomeType, string> = {
  no_answer: 'No contestó', contacted: 'Contactado', replied: 'Respondió', interested: 'Interesado',
  not_interested: 'No le interesa', call_back_later: 'Volver a llamar', meeting_scheduled: 'Reunión agendada',
  proposal_requested: 'Pidió propuesta', proposal_sent: 'Propuesta enviada', handed_to_closer: 'Pasado a cierre',
  enrolled: 'Matriculado', lost: 'Perdido', opted_out: 'Pidió la baja', wrong_contact: 'Datos incorrectos',
};

/** The one-tap buttons of "Mi día": what a call or LinkedIn message usually ends in. */
export const QUICK_OUTCOMES: readonly OutcomeType[] = ['no_answer', 'contacted', 'interested', 'not_interested', 'wrong_contact'];

export const LOST_REASON_LABELS: Record<LostReason, string> = {
  price: 'Precio', timing: 'No es el momento', competitor: 'Eligió a la competencia', no_budget: 'Sin presupuesto',
  not_a_fit: 'No encaja', not_interested: 'No le interesa', no_response: 'Sin respuesta', other: 'Otro',
};

export const CHANNEL_LABELS: Record<Channel, string> = { call: 'Llamada', email: 'Correo', linkedin: 'LinkedIn' };

export const TOUCH_STATUS_LABELS: Record<TouchStatus, string> = {
  planned: 'planificado', due: 'pendiente', done: 'hecho', missed: 'no realizado', skipped: 'cancelado',
};

export const COUNTRY_NAMES: Record<Country, string> = {
  AR: 'Argentina', BO: 'Bolivia', BR: 'Brasil', CL: 'Chile', CO: 'Colombia', CR: 'Costa Rica', CU: 'Cuba',
  DO: 'República Dominicana', EC: 'Ecuador', SV: 'El Salvador', GT: 'Guatemala', HN: 'Honduras', MX: 'México',
  NI: 'Nicaragua', PA: 'Panamá', PY: 'Paraguay', PE: 'Perú', PR: 'Puerto Rico', UY: 'Uruguay', VE: 'Venezuela',
  ES: 'España', PT: 'Portugal', US: 'Estados Unidos',
};

/** "lun 1 dic 10:30" in the lead's own time zone: the hour that matters for a call. */
export function leadTime(iso: string, country: Country): string {
  return new Intl.DateTimeFormat('es', {
    timeZone: COUNTRY_TIME_ZONES[country], weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(new Date(iso)).replace(/[.,]/g, '');
}

/** "hace 3 h", "en 2 días": how far a moment is from now. */
export function relative(iso: string, now = new Date()): string {
  const minutes = Math.round((Date.parse(iso) - now.getTime()) / 60_000);
  const abs = Math.abs(minutes);
  const amount = abs < 60 ? `${abs} min` : abs < 48 * 60 ? `${Math.round(abs / 60)} h` : `${Math.round(abs / 1440)} días`;
  return minutes < 0 ? `hace ${amount}` : `en ${amount}`;
}
