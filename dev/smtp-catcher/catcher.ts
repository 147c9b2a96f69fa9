import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { simpleParser } from 'mailparser';
import express from 'express';
import { z } from 'zod';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';

export interface CaughtMail {
  id: string;
  receivedAt: string;
  envelope: { from: string; to: string[] };
  raw: string;
}

/**
 * Faults the catcher can be told to show, the way real mail servers misbehave. Each applies to the
 * next `times` messages it matches (`to`: a part of a recipient's address; without it, any message):
 * - `delay`: the content arrives, the server says nothing for `ms`, then keeps the message and
 *   answers 250 (to a client still listening). A client that gave up meanwhile never learns the
 *   message was kept: the issue's "waits 45 s before accepting".
 * - `refuse`: answer `code` (4xx: try later; 5xx: refused for good) at `stage` `rcpt` (the recipient)
 *   or `data` (after the content, the final reply); nothing is kept.
 * - `drop`: keep the message, then close the connection without answering: "saved, then the answer
 *   was lost".
 * Refusing connections for a while (a stopped server) is `stop({ forMs })`.
 */
export const catcherFaultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('delay'), ms: z.number().int().min(0).max(600_000), times: z.number().int().min(1).default(1), to: z.string().min(1).optional() }),
  z.object({
    kind: z.literal('refuse'),
    code: z.number().int().min(400).max(599),
    stage: z.enum(['rcpt', 'data']).default('data'),
    times: z.number().int().min(1).default(1),
    to: z.string().min(1).optional(),
  }),
  z.object({ kind: z.literal('drop'), times: z.number().int().min(1).default(1), to: z.string().min(1).optional() }),
]);
export type CatcherFaultSpec = z.input<typeof catcherFaultSchema>;
type CatcherFault = z.output<typeof catcherFaultSchema>;

/** smtp-server keeps its live connections here; a fault that drops one needs its socket. */
interface LiveConnection {
  session?: { id?: string };
  _socket?: Socket;
}

/**
 * A local SMTP server that keeps every message instead of delivering it, so the default setup never
 * mails a real person. Messages are kept as .eml files when a folder is given, surviving restarts.
 * It can be told to fail like real servers do (`addFault`, `stop`), and over HTTP (`catcherControl`).
 */
export class MailCatcher {
  private readonly messages: CaughtMail[] = [];
  private serial = 0;
  private readonly waiters = new Set<() => void>();
  private server?: SMTPServer;
  private faults: CatcherFault[] = [];
  private address: { port: number; host: string } | undefined;
  private restartTimer: NodeJS.Timeout | undefined;

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
      this.serial = this.messages.length;
    }
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onAuth: (_auth, _session, cb) => cb(null, { user: 'catcher' }),
      onRcptTo: (address, _session, cb) => {
        const fault = this.takeFault([address.address], 'rcpt');
        if (fault?.kind === 'refuse') return cb(smtpError(fault.code));
        if (!this.rejectRecipients?.test(address.address)) return cb();
        this.rejected.push(address.address);
        cb(Object.assign(new Error('5.1.1 Mailbox does not exist'), { responseCode: 550 }));
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const mail: CaughtMail = {
            // A serial, not the list's length: a delayed message is kept only later, and another one
            // received meanwhile in the same millisecond would get its id (and overwrite its file).
            id: `${Date.now()}-${++this.serial}`,
            receivedAt: new Date().toISOString(),
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            raw: Buffer.concat(chunks).toString('utf8'),
          };
          const fault = this.takeFault(mail.envelope.to, 'data');
          if (fault?.kind === 'refuse') return cb(smtpError(fault.code));
          if (fault?.kind === 'drop') {
            this.keep(mail);
            return this.socketOf(server, session)?.destroy();
          }
          if (fault?.kind === 'delay') {
            setTimeout(() => {
              // Kept whether or not the client still listens: the server took the message.
              this.keep({ ...mail, receivedAt: new Date().toISOString() });
              cb();
            }, fault.ms).unref();
            return;
          }
          this.keep(mail);
          cb();
        });
      },
    });
    const server = this.server;
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, host, () => ok());
    });
    const bound = (server.server.address() as AddressInfo).port;
    this.address = { port: bound, host };
    return bound;
  }

  /** Fails the next matching messages (see catcherFaultSchema). */
  addFault(spec: CatcherFaultSpec): void {
    this.faults.push(catcherFaultSchema.parse(spec));
  }

  pendingFaults(): CatcherFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clearFaults(): void {
    this.faults = [];
  }

  /**
   * Stops accepting connections (clients get "connection refused"), for `forMs` or until `start`.
   * Messages being received finish; the port is taken again on restart.
   */
  async stop({ forMs }: { forMs?: number } = {}): Promise<void> {
    const address = this.address;
    if (!address) throw new Error('the catcher is not listening');
    clearTimeout(this.restartTimer);
    const server = this.server;
    this.server = undefined;
    // The listening socket closes at once; the promise waits for open sessions, which need not hold us.
    void new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
    if (forMs !== undefined) this.restartTimer = setTimeout(() => void this.start(), forMs);
  }

  async start(): Promise<void> {
    clearTimeout(this.restartTimer);
    if (this.server || !this.address) return;
    await this.listen(this.address.port, this.address.host);
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  private takeFault(recipients: string[], stage: 'rcpt' | 'data'): CatcherFault | undefined {
    const fault = this.faults.find(
      (f) => (f.kind === 'refuse' ? f.stage === stage : stage === 'data') && (f.to === undefined || recipients.some((r) => r.includes(f.to!))),
    );
    if (!fault) return undefined;
    fault.times--;
    if (fault.times <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  private socketOf(server: SMTPServer, session: SMTPServerSession): Socket | undefined {
    const connections = (server as unknown as { connections?: Set<LiveConnection> }).connections;
    return [...(connections ?? [])].find((c) => c.session?.id === session.id)?._socket;
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
    clearTimeout(this.restartTimer);
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }
}

function smtpError(code: number): Error {
  const text = code >= 500 ? `${code} 5.7.1 Message refused` : `${code} 4.3.0 Try again later`;
  return Object.assign(new Error(text.slice(4)), { responseCode: code });
}

/**
 * The catcher's fault controls over HTTP, for `npm start` and the chaos run (mounted at `/__catcher`
 * next to `GET /messages` by main.ts):
 *   GET    /faults              the faults still pending
 *   POST   /faults              one fault (catcherFaultSchema), e.g. {"kind":"delay","ms":45000,"to":"valentina"}
 *   DELETE /faults              clears them
 *   POST   /stop   {"forMs"?}   refuse connections, for forMs or until /start
 *   POST   /start               accept connections again
 */
export function catcherControl(catcher: MailCatcher): express.Router {
  const router = express.Router();
  router.use(express.json());
  router.get('/faults', (_req, res) => {
    res.json({ pending: catcher.pendingFaults() });
  });
  router.post('/faults', (req, res) => {
    const parsed = catcherFaultSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid fault', issues: z.flattenError(parsed.error).fieldErrors });
      return;
    }
    catcher.addFault(parsed.data);
    res.status(201).json({ pending: catcher.pendingFaults() });
  });
  router.delete('/faults', (_req, res) => {
    catcher.clearFaults();
    res.status(204).end();
  });
  router.post('/stop', async (req, res) => {
    const forMs = (req.body as { forMs?: unknown } | undefined)?.forMs;
    if (forMs !== undefined && (typeof forMs !== 'number' || !Number.isInteger(forMs) || forMs < 0)) {
      res.status(400).json({ error: 'forMs must be a whole number of milliseconds' });
      return;
    }
    await catcher.stop(forMs === undefined ? {} : { forMs });
    res.status(204).end();
  });
  router.post('/start', async (_req, res) => {
    await catcher.start();
    res.status(204).end();
  });
  return router;
}

export async function parseMail(mail: CaughtMail) {
  return simpleParser(mail.raw);
}
