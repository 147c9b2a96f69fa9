import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

export interface CaughtMail {
  id: string;
  receivedAt: string;
  envelope: { from: string; to: string[] };
  raw: string;
}

/**
 * A local SMTP server that keeps every message instead of delivering it, so the default setup never
 * mails a real person. Messages are kept as .eml files when a folder is given, surviving restarts.
 */
export class MailCatcher {
  private readonly messages: CaughtMail[] = [];
  private readonly waiters = new Set<() => void>();
  private server?: SMTPServer;

  /** Recipients the server refuses for good (550), as a real one refuses a mailbox that does not exist. */
  rejectRecipients: RegExp | null = null;
  /** Every recipient refused so far. */
  readonly rejected: string[] = [];

  constructor(private readonly dir?: string) {
    if (dir) {
      mkdirSync(dir, { recursive: true });
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
        this.messages.push(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CaughtMail);
      }
    }
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onAuth: (_auth, _session, cb) => cb(null, { user: 'catcher' }),
      onRcptTo: (address, _session, cb) => {
        if (!this.rejectRecipients?.test(address.address)) return cb();
        this.rejected.push(address.address);
        cb(Object.assign(new Error('5.1.1 Mailbox does not exist'), { responseCode: 550 }));
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.keep({
            id: `${Date.now()}-${this.messages.length + 1}`,
            receivedAt: new Date().toISOString(),
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          cb();
        });
      },
    });
    const server = this.server;
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, host, () => ok());
    });
    return (server.server.address() as AddressInfo).port;
  }

  private keep(mail: CaughtMail): void {
    this.messages.push(mail);
    if (this.dir) writeFileSync(join(this.dir, `${mail.id}.json`), JSON.stringify(mail));
    for (const wake of this.waiters) wake();
  }

  list(): CaughtMail[] {
    return [...this.messages];
  }

  /** Resolves with the first message that matches, waiting for it to arrive if need be. */
  async waitFor(match: (m: CaughtMail) => boolean, timeoutMs = 30_000): Promise<CaughtMail> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find(match);
        if (!found) return false;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no matching mail within ${timeoutMs} ms`));
      }, timeoutMs);
      if (!check()) this.waiters.add(check);
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }
}

export async function parseMail(mail: CaughtMail) {
  return simpleParser(mail.raw);
}
