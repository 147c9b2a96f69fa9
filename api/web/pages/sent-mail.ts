import { html } from '../../../lib/html';
import { page, type PageContext } from './layout';

export interface SentMail { id: string; receivedAt: string; to: string[]; subject: string; text: string; hasHtml: boolean }

export function sentMailPage(ctx: PageContext, { mails }: { mails: SentMail[] }): string {
  return page(ctx, 'Correo enviado', html`
<h1>Correo enviado <span class="muted small">(solo en desarrollo: lo atrapa el servidor SMTP local)</span></h1>
${mails.length === 0 ? html`<div class="card"><p>Todavía no se ha enviado ningún correo.</p></div>` : ''}
${mails.map((m) => html`<details class="card">
  <summary><strong>${m.subject}</strong> · para ${m.to.join(', ')} · <span class="muted">${new Date(m.receivedAt).toLocaleString('es')}</span></summary>
  ${m.hasHtml ? html`<iframe title="${m.subject}" sandbox src="/correo-enviado/${m.id}" style="width:100%;height:420px;border:1px solid #dde2ea;border-radius:8px;background:#fff"></iframe>` : ''}
  <pre class="script">${m.text}</pre>
</details>`)}`);
}
