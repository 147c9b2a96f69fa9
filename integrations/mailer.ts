import nodemailer from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Deterministic per touch, so replies can be matched back to it. */
  messageId: string;
  replyTo?: string;
  headers?: Record<string, string>;
  /** Images the HTML shows inline (`<img src="cid:…">`), such as the weekly report's charts. */
  attachments?: { filename: string; content: Buffer; cid: string; contentType: string }[];
}

/** The server refused the message for good (5xx): retrying would only annoy it. */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

export function createMailer({ smtpUrl, from }: { smtpUrl: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail) {
      try {
        await transport.sendMail({ from, ...mail });
        return { messageId: mail.messageId };
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500) throw new PermanentDeliveryError(`SMTP rejected the message (${code})`);
        throw err;
      }
    },
    close: () => transport.close(),
  };
}
