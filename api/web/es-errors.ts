import type { ZodError } from 'zod';

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

/**
 * The schemas speak English to API clients; people using the web app read the same rule in Spanish.
 * Translated from the issue's kind, so every schema gets Spanish messages without a second copy.
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
      return CUSTOM[issue.message] ?? 'no es válido';
    default:
      return 'no es válido';
  }
}

const CUSTOM: Record<string, string> = {
  'is required when the lead is lost': 'es obligatorio cuando el lead se pierde',
  'is required for call_back_later': 'es obligatoria para volver a llamar',
  'must change at least one field': 'cambia al menos un dato',
};

export const fieldLabel = (path: string) => FIELD_LABELS[path] ?? (path || 'Formulario');

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
