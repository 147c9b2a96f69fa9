import type { IntegrationName } from '../../domain/effects';
import type { RenderedMail } from '../../domain/emails';
import { html } from '../../lib/html';

const INTEGRATION_LABELS: Record<IntegrationName, string> = {
  zoho: 'Zoho CRM',
  email: 'el envío de correos (SMTP)',
  routing: 'la asignación de leads',
  escalation: 'los avisos a la dirección',
};

/** What a person can do about the failures that have a usual cause. */
const WHAT_TO_DO: Record<string, string> = {
  ZohoAuthError: 'Zoho rechaza nuestras credenciales: lo habitual es un token de actualización revocado o vencido. Genere uno nuevo en la consola de Zoho y actualice ZOHO_REFRESH_TOKEN.',
  ZohoRecordError: 'Zoho rechazó un registro (un campo obligatorio, un valor no válido o un id que ya no existe). Revise el lead en Zoho.',
  ZohoRequestError: 'Zoho rechazó la petición misma: puede haber cambiado la configuración de la organización (módulos, campos o permisos).',
  PermanentDeliveryError: 'El servidor de correo rechazó el mensaje de forma definitiva. Revise la configuración SMTP y la dirección de la dirección comercial.',
};

/** Error texts come from our own named errors, which carry codes, not values; an address slipping in is masked all the same. */
const masked = (text: string) => text.replace(/[^\s<>()"',;:]+@[^\s<>()"',;:]+/g, '[correo]').slice(0, 500);

/**
 * The director's mail about a permanent integration failure (internal, always Spanish): sent once a
 * day per kind of failure, so it names the first lead it hit and says the others are not mailed.
 * No personal data: the lead by its id and link only.
 */
export function renderIntegrationFailure({ integration, errorType, error, callSite, leadId, leadUrl, day }: {
  integration: IntegrationName; errorType: string; error: string; callSite: string; leadId: string; leadUrl: string; day: string;
}): RenderedMail {
  const label = INTEGRATION_LABELS[integration];
  const lines = [
    `Falló de forma permanente ${label} (${errorType}). El seguimiento de los leads continúa: lo que no se pudo hacer queda anotado en cada lead.`,
    WHAT_TO_DO[errorType] ?? 'Revise la configuración de la integración; si el fallo persiste, consulte los registros del worker.',
    `Primer lead afectado hoy: ${leadId} (paso: ${callSite}).`,
    `Error: ${masked(error)}`,
    `Este aviso se envía una vez al día por tipo de fallo (${day}): otros leads afectados hoy no generan más correos.`,
    `Ver el lead: ${leadUrl}`,
  ];
  return {
    subject: `Integración con fallos: ${label} (${errorType})`,
    text: lines.join('\n\n'),
    html: html`<!doctype html><html lang="es"><body>${lines.map((l) => html`<p>${l}</p>`)}</body></html>`.value,
  };
}
