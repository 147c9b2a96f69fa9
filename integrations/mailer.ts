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

/** The server refused the message for good (5xx): nothing was delivered, and retrying would only annoy it. */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

/**
 * The message did not leave, provably (the server could not be reached, or refused it for now with a
 * 4xx): trying again later cannot send it twice.
 */
export class DeliveryNotAttemptedError extends Error {
  override name = 'DeliveryNotAttemptedError';
}

/**
 * The message may have been accepted: the connection broke or timed out after the envelope was
 * sent, possibly while or after the server took the message, before its answer arrived. Sending
 * again could make a person receive it twice, so nobody does.
 */
export class DeliveryOutcomeUnknownError extends Error {
  override name = 'DeliveryOutcomeUnknownError';
}

export interface Mailer {
  /** Throws PermanentDeliveryError, DeliveryNotAttemptedError or DeliveryOutcomeUnknownError. */
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

/**
 * nodemailer waits 2 minutes to connect and 10 minutes on a silent socket by default, far beyond the
 * send activity's 30-second start-to-close timeout: Temporal would start a second attempt while the
 * first still waits. These keep one attempt well inside its timeout (the greeting wait is also cut
 * short by what is left of the connection timeout).
 */
export const DEFAULT_SMTP_TIMEOUTS = { connectionMs: 10_000, greetingMs: 10_000, socketMs: 20_000 };
export type SmtpTimeouts = typeof DEFAULT_SMTP_TIMEOUTS;

/** DKIM signing (config DKIM_*): the signing domain, the DNS selector of its public key, the PEM private key. */
export interface DkimSettings {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

/**
 * The headers a signature covers. nodemailer's own list (RFC 6376 §5.4's plus RFC 8058's
 * List-Unsubscribe-Post) already has them all; it is spelled out so that no upgrade can silently drop
 * the two List-Unsubscribe headers, which one-click unsubscribe needs signed.
 */
export const DKIM_SIGNED_HEADERS = [
  'From', 'Sender', 'Reply-To', 'Subject', 'Date', 'Message-ID', 'To', 'Cc', 'MIME-Version', 'Content-Type',
  'Content-Transfer-Encoding', 'Content-ID', 'Content-Description', 'In-Reply-To', 'References',
  'List-Id', 'List-Help', 'List-Unsubscribe', 'List-Unsubscribe-Post', 'List-Subscribe', 'List-Post', 'List-Owner', 'List-Archive',
] as const;

export function createMailer({ smtpUrl, from, timeouts = DEFAULT_SMTP_TIMEOUTS, dkim }: { smtpUrl: string; from: string; timeouts?: SmtpTimeouts; dkim?: DkimSettings | null }): Mailer {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    ...(dkim ? { dkim: { ...dkim, headerFieldNames: DKIM_SIGNED_HEADERS.join(':') } } : {}),
  });
  return {
    async send(mail) {
      try {
        await transport.sendMail({ from, ...mail });
        return { messageId: mail.messageId };
      } catch (err) {
        throw classifySendError(err);
      }
    },
    close: () => transport.close(),
  };
}

interface NodemailerError {
  message?: string;
  code?: string;
  originalCode?: string;
  responseCode?: number;
  command?: string;
  timeoutType?: string;
}

/** Failures before the connection carried anything of ours: no message can have left. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const SETUP_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);

/**
 * What a nodemailer failure proves about the message (nodemailer 10: `code` names the step that failed,
 * `responseCode` the server's answer, `timeoutType` which timer fired):
 * - a server's answer refuses it: to the envelope (`EENVELOPE`: MAIL FROM, RCPT TO, the DATA command
 *   itself, all before any content) or to the content (`EMESSAGE`: the reply after the final dot). A
 *   refusal is never an acceptance: 5xx for good, 4xx for now.
 * - no connection, a failed login, or a timeout while connecting or waiting for the greeting: nothing
 *   of ours was sent yet.
 * - anything else (the socket closed or went silent once the session was under way): nodemailer
 *   cannot say whether the content went out and the server kept it, so nobody may assume it did not.
 */
export function classifySendError(err: unknown): Error {
  const e = (err ?? {}) as NodemailerError;
  const detail = `${e.code ?? 'error'}${e.command ? ` at ${e.command}` : ''}${e.responseCode ? ` (${e.responseCode})` : ''}`;
  if (e.responseCode !== undefined && (e.code === 'EENVELOPE' || e.code === 'EMESSAGE' || e.code === 'EAUTH' || e.code === 'EPROTOCOL')) {
    if (e.responseCode >= 500) return new PermanentDeliveryError(`SMTP rejected the message (${e.responseCode})`);
    if (e.responseCode >= 400) return new DeliveryNotAttemptedError(`SMTP refused the message for now: ${detail}`);
  }
  // The socket's own error code survives as `originalCode` (nodemailer files it under ESOCKET or ECONNECTION).
  if (e.originalCode && NOT_CONNECTED.has(e.originalCode)) {
    return new DeliveryNotAttemptedError(`SMTP server unreachable (${e.originalCode})`);
  }
  if (e.code === 'ETIMEDOUT' && e.timeoutType && SETUP_TIMEOUTS.has(e.timeoutType)) {
    return new DeliveryNotAttemptedError(`SMTP server too slow to start a session (${e.timeoutType})`);
  }
  if (e.code === 'EAUTH') return new DeliveryNotAttemptedError(`SMTP login failed: ${detail}`);
  return new DeliveryOutcomeUnknownError(`SMTP answer lost, the message may have been accepted: ${detail}${e.timeoutType ? ` ${e.timeoutType}` : ''}`);
}
