import type { SentMailbox } from '.';

interface CatcherMessage { id: string; receivedAt: string; envelope: { to: string[] }; subject?: string; text?: string; html: string | null }

/** The local SMTP catcher's JSON API (dev/smtp-catcher/main.ts) as the "Correo enviado" page reads it. */
export function httpMailbox(catcherUrl: string): SentMailbox {
  const messages = async (): Promise<CatcherMessage[]> => {
    const res = await fetch(`${catcherUrl.replace(/\/$/, '')}/messages`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`mail catcher answered ${res.status}`);
    return ((await res.json()) as { messages: CatcherMessage[] }).messages;
  };
  return {
    async list() {
      return (await messages()).map((m) => ({ id: m.id, receivedAt: m.receivedAt, to: m.envelope.to, subject: m.subject ?? '(sin asunto)', text: m.text ?? '', hasHtml: Boolean(m.html) }));
    },
    async html(id) {
      return (await messages()).find((m) => m.id === id)?.html ?? null;
    },
  };
}
