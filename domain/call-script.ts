import type { Channel } from './cadence';
import type { Lead } from './lead';

/**
 * What the executive needs for a call or LinkedIn touch: the call script or the message draft, in the
 * lead's language (Spanish, Portuguese for Brazil).
 */
export type ScriptedLead = Pick<Lead, 'firstName' | 'lastName' | 'phone' | 'company' | 'profile' | 'benefit' | 'country' | 'returning' | 'otherCourses'> & { course: Pick<Lead['course'], 'name'> };

export function touchScript({ lead, channel, template }: { lead: ScriptedLead; channel: Channel; template: string }): string {
  const pt = lead.country === 'BR';
  const who = `${lead.firstName} ${lead.lastName}`;
  const course = lead.course.name;
  if (channel === 'linkedin') {
    return pt
      ? `Olá, ${lead.firstName}! Vi o seu interesse em "${course}"${lead.company ? ` e o seu trabalho na ${lead.company}` : ''}. Posso compartilhar o programa e as datas da próxima turma?`
      : `¡Hola, ${lead.firstName}! Vi tu interés en "${course}"${lead.company ? ` y tu trabajo en ${lead.company}` : ''}. ¿Te comparto el programa y las fechas de la próxima cohorte?`;
  }
  const followUp = template === 'follow-up-call';
  const back = lead.returning;
  const others = (lead.otherCourses ?? []).map((c) => `"${c.name}"`).join(', ');
  if (pt) {
    return [
      `Ligar para ${who}${lead.phone ? ` (${lead.phone})` : ''}.`,
      back ? (back.previousStage === 'enrolled'
        ? `É ex-aluno de "${back.previousCourse.name}": agradeça a volta e pergunte como esse curso ajudou.`
        : `Volta depois de um acompanhamento perdido ("${back.previousCourse.name}"): pergunte o que mudou desde então.`) : null,
      followUp ? `Retome a conversa sobre "${course}" e pergunte se ficou alguma dúvida.` : `Apresente-se e agradeça o interesse em "${course}".`,
      lead.profile === 'b2b'
        ? `Pergunte pela equipe${lead.company ? ` da ${lead.company}` : ''}, quantas pessoas e quem aprova o orçamento.`
        : 'Pergunte o que espera do curso para a sua carreira.',
      others ? `Também perguntou por ${others}: fale desses cursos também.` : null,
      lead.benefit ? `Benefício anotado: ${lead.benefit}.` : 'Anote o benefício principal que a pessoa busca.',
      'Combine o próximo passo e registre o resultado.',
    ].filter((line) => line !== null).join('\n');
  }
  return [
    `Llamar a ${who}${lead.phone ? ` (${lead.phone})` : ''}.`,
    back ? (back.previousStage === 'enrolled'
      ? `Es egresado de "${back.previousCourse.name}": agradécele que vuelva y pregunta cómo le sirvió ese curso.`
      : `Vuelve después de un seguimiento perdido ("${back.previousCourse.name}"): pregunta qué cambió desde entonces.`) : null,
    followUp ? `Retoma la conversación sobre "${course}" y pregunta si quedó alguna duda.` : `Preséntate y agradece su interés en "${course}".`,
    lead.profile === 'b2b'
      ? `Pregunta por el equipo${lead.company ? ` de ${lead.company}` : ''}: cuántas personas y quién aprueba el presupuesto.`
      : 'Pregunta qué espera del curso para su carrera.',
    others ? `También preguntó por ${others}: háblale de esos cursos también.` : null,
    lead.benefit ? `Beneficio anotado: ${lead.benefit}.` : 'Anota el beneficio principal que busca.',
    'Acuerda el siguiente paso y registra el resultado.',
  ].filter((line) => line !== null).join('\n');
}
