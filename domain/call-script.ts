import type { Lead } from './lead';

/** The script the executive reads on the first call, in the lead's language. */
export function firstCallScript({ lead }: { lead: Lead }): string {
  const who = `${lead.firstName} ${lead.lastName}`;
  if (lead.country === 'BR') {
    return [
      `Ligar para ${who}${lead.phone ? ` (${lead.phone})` : ''}.`,
      `Apresente-se e agradeça o interesse em "${lead.course.name}".`,
      lead.profile === 'b2b'
        ? `Pergunte pela equipe${lead.company ? ` da ${lead.company}` : ''}, quantas pessoas e quem aprova o orçamento.`
        : 'Pergunte o que espera do curso para a sua carreira.',
      'Anote o benefício principal que a pessoa busca e combine o próximo passo.',
    ].join('\n');
  }
  return [
    `Llamar a ${who}${lead.phone ? ` (${lead.phone})` : ''}.`,
    `Preséntate y agradece su interés en "${lead.course.name}".`,
    lead.profile === 'b2b'
      ? `Pregunta por el equipo${lead.company ? ` de ${lead.company}` : ''}: cuántas personas y quién aprueba el presupuesto.`
      : 'Pregunta qué espera del curso para su carrera.',
    'Anota el beneficio principal que busca y acuerda el siguiente paso.',
  ].join('\n');
}
