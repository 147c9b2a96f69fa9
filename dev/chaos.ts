/**
 * `npm run chaos`: the real stack, a short cadence day and hundreds of leads, under faults — the
 * worker killed with SIGKILL again and again (some kills while a mail is on the wire), the Temporal
 * server and PostgreSQL restarted, the SMTP server refusing connections for minutes, Zoho throttling,
 * failing and losing answers to writes it saved, its refresh token revoked, leads opting out through
 * the one-click link — and then a table, computed from what the SMTP catcher, the Zoho sandbox and the
 * ledger saw (`dev/chaos/tally.ts` defines every row): nothing lost, nothing doubled, nobody contacted
 * after opting out, no workflow failed or stuck. Exits non-zero when a gating row is not zero.
 *
 *   npm run chaos -- --leads 200 --kills 30 --seed 42 --day 10s
 *
 * Other flags (defaults in FULL_RUN): --enrol-over 4m, --smtp-outage 2m, --temporal-restarts 2,
 * --postgres-restarts 1, --opt-outs 20, --zoho-faults 10 (percent), --token-revoked 45s,
 * --smtp-rejects 3, --smtp-drops 3, --time-limit 60m, --log-level error (worker and API), --keep (the
 * data folder, kept anyway when the run fails), --json report.json. The gating rows are duplicated
 * touches, other duplicated effects, mails after an opt-out, mails without a ledger claim, failed and
 * stuck workflows; lost and uncertain touches are reported, each uncertain one with its likely fault.
 *
 * Everything runs in a temporary folder on free ports, so it never touches `npm start`'s stack.
 */
import { randomInt } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { selectCadence, stepFor, type Cadence } from '../domain/cadence';
import type { Country } from '../domain/lead';
import { leadWorkflowId } from '../domain/ids';
import type { LeadState } from '../domain/lead-state';
import { CatcherControl, SandboxCallCounter, SandboxControl, type CatcherFault } from './chaos/controls';
import { Mailbox } from './chaos/mailbox';
import { Rng } from './chaos/rng';
import { CHAOS_API_KEY, ChaosStack, tcpAnswers } from './chaos/stack';
import { messageKey, RESTING_STAGES, tally, type ChaosTable, type EnrolledLead, type FaultRecord, type LedgerEffect, type Tally, type WorkflowStatus } from './chaos/tally';

export interface ChaosOptions {
  leads: number;
  kills: number;
  seed: number;
  /** LEAD_DAY_DURATION: how long one cadence day lasts. */
  day: string;
  /** Enrolments are spread over this long. */
  enrolOverMs: number;
  /** How long the SMTP server refuses connections. */
  smtpOutageMs: number;
  temporalRestarts: number;
  postgresRestarts: number;
  optOuts: number;
  /** Share of Zoho CRM calls that fail (429, 500, saved-then-no-answer), in percent. */
  zohoFaultPercent: number;
  /** How long the Zoho refresh token stays revoked before an admin "authorises again". */
  tokenRevokedMs: number;
  /** Extra SMTP faults: temporary rejections (451) and accept-then-drop, each this many times. */
  smtpRejects: number;
  smtpDrops: number;
  /** The whole run gives up waiting for leads to rest after this long. */
  timeLimitMs: number;
  logLevel: string;
  /** Keep the temporary folder (it is kept anyway when the run fails). */
  keep: boolean;
  /** Write the report as JSON here. */
  json?: string;
  say?: (message: string) => void;
}

export const FULL_RUN: Omit<ChaosOptions, 'seed'> = {
  leads: 200, kills: 30, day: '10s', enrolOverMs: 4 * 60_000, smtpOutageMs: 120_000, temporalRestarts: 2, postgresRestarts: 1, optOuts: 20,
  zohoFaultPercent: 10, tokenRevokedMs: 45_000, smtpRejects: 3, smtpDrops: 3, timeLimitMs: 60 * 60_000, logLevel: 'error', keep: false,
};

export interface ChaosReport {
  seed: number;
  options: Omit<ChaosOptions, 'say'>;
  startedAt: string;
  durationSeconds: number;
  table: ChaosTable;
  tally: Omit<Tally, 'table'>;
  faults: {
    kills: number;
    killsInsideSends: number;
    workerRestartSeconds: number[];
    /** Exits nobody asked for: at start-up (e.g. the worker while Temporal restarted) and while running. */
    crashes: Record<string, { atStart: number; running: number }>;
    temporalRestarts: number;
    postgresRestarts: number;
    /** The SMTP server stopped: our own probe connections refused meanwhile, and mails that still arrived. */
    smtpOutage: { from: string; to: string; probes: number; refused: number; mailsDuring: number } | null;
    /** Faults armed in the catcher for one lead's next mail, and whether a mail met them. */
    smtp: { kind: string; email: string; fired: boolean }[];
    /** What the Zoho sandbox answered to CRM calls (from its request log). */
    zoho: Record<string, number>;
    tokenRevoked: { from: string; to: string } | null;
    /**
     * Each one-click unsubscribe: the first answer (what a mail client, which posts once, would see),
     * the answer after retrying for up to three minutes, and when the ledger recorded the opt-out.
     */
    optOuts: { leadId: string; clickedAt: string; firstStatus: number; status: number; tries: number; inLedgerAt: string | null }[];
    log: FaultRecord[];
    problems: string[];
  };
  passed: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iso = (ms: number) => new Date(ms).toISOString();

function durationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text} (e.g. 10s)`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
}

const FIRST = ['Valentina', 'Mateo', 'Camila', 'Santiago', 'Lucía', 'Joaquín', 'Isabela', 'Tomás', 'Martina', 'Diego', 'Ana', 'João'];
const LAST = ['Rojas', 'Pérez', 'Gómez', 'Fernández', 'Silva', 'Torres', 'Castro', 'Vargas', 'Ramírez', 'Souza'];
const COUNTRIES: Country[] = ['CO', 'MX', 'PE', 'CL', 'AR', 'BR', 'EC', 'UY', 'CR', 'ES'];
const COURSES = [
  { code: 'DS-101', name: 'Ciencia de Datos con Python', startDate: '2027-02-01' },
  { code: 'CLOUD-201', name: 'Arquitectura Cloud en AWS', startDate: '2027-03-15', seatsLeft: 12 },
  { code: 'CYBER-110', name: 'Ciberseguridad para Empresas' },
];

interface PlannedLead {
  body: Record<string, unknown> & { email: string; profile: 'b2b' | 'b2c'; country: Country };
  at: number;
  cadence: Cadence;
  leadId?: string;
  createdAt?: number;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const say = options.say ?? ((m: string) => process.stdout.write(`[chaos] ${m}\n`));
  const began = Date.now();
  // One stream per purpose, so that the leads and the fault moments a seed gives do not depend on how
  // the run's concurrent parts happened to interleave.
  const stream = (purpose: number) => new Rng((Math.imul(options.seed, 0x9e3779b1) + purpose) >>> 0);
  const [leadRng, faultRng, killRng, pickRng] = [stream(1), stream(2), stream(3), stream(4)];
  const dayMs = durationMs(options.day);
  say(`seed ${options.seed} · ${options.leads} leads · ${options.kills} worker kills · a cadence day is ${options.day}`);
  const stack = new ChaosStack({ dayDuration: options.day, logLevel: options.logLevel, say });
  say(`data in ${stack.dir}`);
  const onSignal = () => {
    say('interrupted: stopping the stack');
    void stack.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const lastResort = () => stack.killAll();
  process.once('exit', lastResort);

  const faults: FaultRecord[] = [];
  const problems: string[] = [];
  const note = (kind: string, detail: string, keys?: string[]) => {
    faults.push({ at: Date.now(), kind, detail, ...(keys?.length ? { keys } : {}) });
    say(`${kind}: ${detail}`);
  };
  let report: ChaosReport | undefined;
  try {
    const startedAt = Date.now();
    await stack.start();
    const firstStartMs = Date.now() - startedAt;
    say(`stack ready in ${(firstStartMs / 1000).toFixed(1)} s (Temporal 127.0.0.1:${stack.ports.temporal}, API ${stack.apiUrl})`);
    const catcher = new CatcherControl(stack.mailApiUrl);
    const sandbox = new SandboxControl(stack.zohoUrl);
    const mailbox = new Mailbox(stack.mailDir);

    // ---- the plan ------------------------------------------------------------------------------
    const t0 = Date.now();
    const enrolAt = leadRng.spread(options.leads, t0, t0 + options.enrolOverMs);
    const planned: PlannedLead[] = enrolAt.map((at, i) => {
      const profile = leadRng.chance(0.25) ? 'b2b' as const : 'b2c' as const;
      const country = leadRng.pick(COUNTRIES);
      const course = leadRng.pick(COURSES);
      // Most leads leave a phone and some a LinkedIn profile, so calls, LinkedIn tasks and the emails
      // that replace them for the others are all in play.
      const phone = leadRng.chance(0.7) ? `+57 300 ${String(1_000_000 + i).slice(-7)}` : undefined;
      const linkedinUrl = leadRng.chance(0.5) ? `https://www.linkedin.com/in/chaos-${i}` : undefined;
      const body = {
        firstName: leadRng.pick(FIRST), lastName: leadRng.pick(LAST), email: `chaos-${options.seed}-${i}@leads.example.com`,
        country, profile, course, source: 'api', ...(phone ? { phone } : {}), ...(linkedinUrl ? { linkedinUrl } : {}),
        ...(profile === 'b2b' ? { company: `Empresa ${i}`, jobTitle: 'Gerente de TI' } : {}),
      };
      const cadence = selectCadence({ profile, country, courseCode: course.code });
      // The steps as this lead will live them: a channel it lacks is replaced as its cadence says.
      return { body, at, cadence: { ...cadence, steps: cadence.steps.map((step) => ({ ...step, ...stepFor(body, step) })) } };
    });
    const lastDay = Math.max(...planned.map((p) => p.cadence.steps[p.cadence.steps.length - 1]!.day));
    const lifeMs = (lastDay + 2) * dayMs;
    // The kills need room: a worker takes a while to start (it bundles the workflow code).
    const windowMs = Math.max(options.enrolOverMs + lifeMs, options.kills * (firstStartMs * 0.6 + 6_000));
    say(`chaos window ${(windowMs / 60_000).toFixed(1)} min: enrolments over ${(options.enrolOverMs / 60_000).toFixed(1)} min, a lead's cadence lasts ${(lifeMs / 1000).toFixed(0)} s`);
    const at = (fraction: number) => t0 + fraction * windowMs;

    // ---- enrolments ----------------------------------------------------------------------------
    const enrolments = planned.map(async (p) => {
      await sleep(Math.max(0, p.at - Date.now()));
      p.createdAt = Date.now();
      const body = { ...p.body, createdAt: iso(p.createdAt) };
      const deadline = Date.now() + 5 * 60_000;
      for (;;) {
        const res = await fetch(`${stack.apiUrl}/api/leads`, {
          method: 'POST', headers: { Authorization: `Bearer ${CHAOS_API_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000),
        }).catch(() => null);
        if (res) {
          const answer = (await res.json().catch(() => ({}))) as { leadId?: string };
          if (res.status === 201 || res.status === 200) {
            p.leadId = answer.leadId!;
            return;
          }
          // A 503 (Temporal restarting) or a 500 (the ledger restarting) is tried again; bad input is our bug.
          if (res.status < 500) throw new Error(`POST /api/leads answered ${res.status}: ${JSON.stringify(answer)}`);
        }
        if (Date.now() > deadline) throw new Error(`could not enrol ${p.body.email} within 5 minutes`);
        await sleep(1000 + Math.random() * 1000);
      }
    });
    const enrolled = () => planned.filter((p) => p.leadId);

    // ---- faults at random moments ----------------------------------------------------------------
    const scheduled: Promise<void>[] = [];
    const schedule = (when: number, what: string, action: () => Promise<void>) => {
      scheduled.push((async () => {
        await sleep(Math.max(0, when - Date.now()));
        try {
          await action();
        } catch (err) {
          problems.push(`${what}: ${(err as Error).message}`);
          say(`${what} did not go as planned: ${(err as Error).message}`);
        }
      })());
    };

    let smtpRefusing = false;
    let smtpOutage = null as ChaosReport['faults']['smtpOutage'];
    let tokenRevoked = null as ChaosReport['faults']['tokenRevoked'];
    let temporalRestarts = 0;
    let postgresRestarts = 0;
    const optOuts: ChaosReport['faults']['optOuts'] = [];
    const smtpFaults: { kind: string; email: string; armedAt: number; fired: boolean }[] = [];
    const zohoCalls = new SandboxCallCounter(sandbox);
    const optedOut = () => new Set(optOuts.map((o) => o.leadId));

    /**
     * A lead whose next email is about to leave (its welcome right after enrolment, or a cadence email
     * at its nominal moment), so that a fault armed for its address hits a touch we can name.
     */
    const soonEmailTarget = async (waitMs: number): Promise<PlannedLead | null> => {
      // While the SMTP server is down nothing leaves on time: aim once it is back.
      while (smtpRefusing) await sleep(1_000);
      const deadline = Date.now() + waitMs;
      while (Date.now() < deadline) {
        const now = Date.now();
        const out = optedOut();
        const soon = planned.filter((p) => !(p.leadId && out.has(p.leadId)) && [
          p.at,
          ...p.cadence.steps.filter((step) => step.channel === 'email').map((step) => (p.createdAt ?? p.at) + (step.day - 1) * dayMs),
        ].some((t) => t > now + 1_000 && t < now + 8_000));
        if (soon.length) return pickRng.pick(soon);
        await sleep(500);
      }
      return null;
    };
    /** Arms a catcher fault for one lead's next mail; resolves once that mail met it (or after `waitMs`). */
    const armFor = async (fault: CatcherFault, target: PlannedLead, waitMs: number): Promise<boolean> => {
      const entry = { kind: fault.kind === 'refuse' ? `SMTP ${fault.code}` : `SMTP ${fault.kind}`, email: target.body.email, armedAt: Date.now(), fired: false };
      smtpFaults.push(entry);
      await catcher.arm({ ...fault, to: target.body.email, times: 1 });
      const deadline = Date.now() + waitMs;
      while (Date.now() < deadline) {
        const pending = await catcher.pending().catch(() => null);
        if (pending && !pending.some((f) => f.to === target.body.email)) return (entry.fired = true);
        await sleep(100);
      }
      return false;
    };

    // Zoho: a share of CRM calls fail, from the start of the chaos to its end.
    schedule(at(0.02), 'Zoho random faults', async () => {
      await sandbox.chaos(options.zohoFaultPercent / 100, options.seed);
      note('zoho faults on', `${options.zohoFaultPercent} % of CRM calls answer 429, 500, or save and drop the connection`);
    });

    const revokeAt = at(faultRng.between(0.15, 0.6));
    schedule(revokeAt, 'Zoho token revocation', async () => {
      await sandbox.revokeRefreshToken();
      const from = Date.now();
      note('zoho refresh token revoked', `restored in ${options.tokenRevokedMs / 1000} s`);
      await sleep(options.tokenRevokedMs);
      await sandbox.restoreRefreshToken();
      tokenRevoked = { from: iso(from), to: iso(Date.now()) };
      note('zoho refresh token restored', 'an admin authorised the client again');
    });

    const outageAt = at(faultRng.between(0.2, Math.max(0.2, 0.85 - options.smtpOutageMs / windowMs)));
    schedule(outageAt, 'SMTP outage', async () => {
      await catcher.stop();
      smtpRefusing = true;
      const from = Date.now();
      note('SMTP server stopped', `connections refused for ${options.smtpOutageMs / 1000} s`);
      // Our own connection attempts prove the port refused; the product's show in its retries.
      let probes = 0;
      let refused = 0;
      while (Date.now() < from + options.smtpOutageMs) {
        probes++;
        if (!(await tcpAnswers(stack.ports.smtp))) refused++;
        await sleep(Math.min(5_000, Math.max(0, from + options.smtpOutageMs - Date.now())));
      }
      await catcher.start();
      smtpRefusing = false;
      smtpOutage = { from: iso(from), to: iso(Date.now()), probes, refused, mailsDuring: 0 };
      note('SMTP server started again', `${refused} of ${probes} probe connections were refused meanwhile`);
    });

    for (const when of faultRng.spread(options.temporalRestarts, at(0.15), at(0.9))) {
      schedule(when, 'Temporal restart', async () => {
        note('Temporal dev server restart', 'SIGTERM, then started again on the same SQLite file');
        await stack.temporal.stop('restart');
        await stack.temporal.start();
        temporalRestarts++;
        note('Temporal dev server back', `restart ${temporalRestarts}`);
      });
    }

    for (const when of faultRng.spread(options.postgresRestarts, at(0.25), at(0.85))) {
      const downMs = faultRng.between(3_000, 12_000);
      schedule(when, 'PostgreSQL restart', async () => {
        note('PostgreSQL restart', `down for ${(downMs / 1000).toFixed(0)} s`);
        await stack.postgres.stop('restart');
        await sleep(downMs);
        await stack.postgres.start();
        postgresRestarts++;
        note('PostgreSQL back', `restart ${postgresRestarts}`);
      });
    }

    for (const when of faultRng.spread(options.smtpRejects, t0 + 5_000, t0 + 0.8 * options.enrolOverMs)) {
      schedule(when, 'SMTP temporary rejection', async () => {
        const target = await soonEmailTarget(90_000);
        if (!target) throw new Error('no lead had an email about to leave');
        const fired = await armFor({ kind: 'refuse', code: 451, stage: 'data' }, target, 60_000);
        note('SMTP 451', `${target.body.email}'s next mail is told to try later${fired ? '' : ' (not used within a minute)'}`);
      });
    }
    for (const when of faultRng.spread(options.smtpDrops, t0 + 5_000, t0 + 0.8 * options.enrolOverMs)) {
      schedule(when, 'SMTP accept-then-drop', async () => {
        const target = await soonEmailTarget(90_000);
        if (!target) throw new Error('no lead had an email about to leave');
        const fired = await armFor({ kind: 'drop' }, target, 60_000);
        note('SMTP accept-then-drop', `${target.body.email}'s next mail is kept and its connection closed before the answer${fired ? '' : ' (not used within a minute)'}`);
      });
    }

    for (const when of faultRng.spread(options.optOuts, at(0.1), at(0.95))) {
      schedule(when, 'opt-out', async () => {
        const out = optedOut();
        const mails = mailbox.scan();
        const candidates = enrolled().filter((p) => !out.has(p.leadId!) && mails.some((m) => m.listUnsubscribe && m.to.includes(p.body.email)));
        if (!candidates.length) throw new Error('no lead has received a mail with a List-Unsubscribe link yet');
        const lead = pickRng.pick(candidates);
        const mail = pickRng.pick(mails.filter((m) => m.listUnsubscribe && m.to.includes(lead.body.email)));
        const click = { leadId: lead.leadId!, clickedAt: iso(Date.now()), firstStatus: 0, status: 0, tries: 0, inLedgerAt: null };
        optOuts.push(click);
        note('opt-out', `${lead.leadId} clicks the one-click link of ${mail.messageId}`);
        await oneClick(mail.listUnsubscribe!, click);
        if (click.firstStatus !== 200) say(`the one-click unsubscribe of ${lead.leadId} answered ${click.firstStatus || 'nothing'} at first, ${click.status || 'nothing'} after ${click.tries} tries`);
      });
    }

    // ---- worker kills ------------------------------------------------------------------------------
    let kills = 0;
    let killsInsideSends = 0;
    const restartSeconds: number[] = [];
    const killLoop = (async () => {
      const everyMs = windowMs / Math.max(1, options.kills);
      for (let k = 1; k <= options.kills; k++) {
        const restartMs = restartSeconds.length ? (restartSeconds.reduce((x, y) => x + y, 0) / restartSeconds.length) * 1000 : firstStartMs * 0.6;
        await sleep(Math.max(1_500, killRng.between(0.3, 1.7) * (everyMs - restartMs)));
        await stack.worker.whenStarted();
        let held: PlannedLead | null = null;
        // While the cadences still send emails, two in five kills aim at a send (and at least one does).
        const emailsFlowing = Date.now() < t0 + options.enrolOverMs + lifeMs;
        if (!smtpRefusing && emailsFlowing && (killRng.chance(0.4) || (killsInsideSends === 0 && Date.now() > t0 + options.enrolOverMs / 3))) {
          // Hold a lead's next mail on the wire (the catcher waits before answering), and kill the
          // worker while it waits for the answer: the worst moment for "never twice". Until one kill
          // has hit a send, a target whose mail did not come in time is followed by another: on a
          // loaded machine the predicted send times slip.
          const tries = killsInsideSends === 0 ? 3 : 1;
          for (let attempt = 0; attempt < tries && !held && !smtpRefusing; attempt++) {
            const target = await soonEmailTarget(20_000);
            if (target && (await armFor({ kind: 'delay', ms: 15_000 }, target, 30_000).catch(() => false))) held = target;
          }
        }
        const killedAt = Date.now();
        await stack.worker.kill(`SIGKILL ${k}`);
        kills++;
        if (held) killsInsideSends++;
        faults.push({ at: killedAt, kind: 'worker SIGKILL', detail: `${k}/${options.kills}${held ? ` while the catcher held a mail to ${held.body.email}` : ''}`, ...(held ? { target: { email: held.body.email, after: killedAt - 30_000 } } : {}) });
        say(`worker SIGKILL ${k}/${options.kills}${held ? ` while the catcher held a mail to ${held.body.email}` : ''}`);
        await sleep(killRng.between(200, 2_000));
        const t = Date.now();
        await stack.worker.start();
        restartSeconds.push((Date.now() - t) / 1000);
      }
    })();

    // ---- progress ----------------------------------------------------------------------------------
    const progress = setInterval(() => {
      void (async () => {
        const stages = await stack.sql<{ stage: string; n: string }>('SELECT stage, count(*) AS n FROM lead_views GROUP BY stage', [], 2_000).catch(() => []);
        say(`t+${((Date.now() - t0) / 1000).toFixed(0)} s · enrolled ${enrolled().length}/${options.leads} · mails ${mailbox.scan().length} · kills ${kills}/${options.kills} · ` +
          `Zoho calls ${zohoCalls.counts.calls} (${zohoCalls.counts['429']} 429, ${zohoCalls.counts['500']} 500, ${zohoCalls.counts['answer lost']} lost) · ${stages.map((x) => `${x.stage} ${x.n}`).join(', ')}`);
      })();
    }, 15_000);
    // The sandbox keeps its last 1,000 calls: read them often enough to count every fault it answered.
    const counting = setInterval(() => void zohoCalls.poll().catch(() => undefined), 3_000);

    try {
      await Promise.all([...enrolments, killLoop, ...scheduled]);
      // Scheduled faults all ran; Zoho keeps failing until every lead rests or the time is up.
      const deadline = began + options.timeLimitMs;
      for (;;) {
        const resting = await restingCount(stack, enrolled().map((p) => p.leadId!));
        if (resting >= enrolled().length) break;
        if (Date.now() > deadline) {
          problems.push(`time limit: ${enrolled().length - resting} leads had not reached a resting point`);
          break;
        }
        await sleep(5_000);
      }
    } finally {
      clearInterval(progress);
    }

    // ---- the end of the faults, and quiet ----------------------------------------------------------
    say('stopping the faults');
    await sandbox.stopChaos().catch((err) => problems.push(`stopping Zoho faults: ${(err as Error).message}`));
    await sandbox.restoreRefreshToken().catch(() => undefined);
    await catcher.start().catch(() => undefined);
    // A fault that found its mail after we stopped watching for it still counts as met.
    const stillArmed = await catcher.pending().catch(() => null);
    if (stillArmed) for (const f of smtpFaults) if (!stillArmed.some((x) => x.to === f.email)) f.fired = true;
    await catcher.clear().catch(() => undefined);
    for (const x of stack.services) if (!x.running) await x.start();
    await stack.worker.whenStarted();
    const faultsStoppedAt = Date.now();
    await settle(stack, enrolled().map((p) => p.leadId!), dayMs, say);
    say(`quiet ${((Date.now() - faultsStoppedAt) / 1000).toFixed(0)} s after the faults stopped`);
    clearInterval(counting);
    await zohoCalls.poll().catch(() => undefined);

    // ---- what each source says ---------------------------------------------------------------------
    const leads: EnrolledLead[] = enrolled().map((p) => ({ leadId: p.leadId!, email: p.body.email, createdAt: p.createdAt!, cadence: p.cadence }));
    const endAt = Date.now();
    const states = await leadStates(stack, leads.map((l) => l.leadId));
    const workflows = await workflowStatuses(stack, leads.map((l) => l.leadId));
    // Nothing moves once the worker has drained: what the outside saw is final.
    await stack.worker.stop('the run ended');
    const mails = mailbox.scan();
    if (mailbox.overwritten.length) problems.push(`the SMTP catcher wrote a mail over another (${mailbox.overwritten.join(', ')}): a delivery may be hidden`);
    const [tasks, notes, zohoLeads] = [await sandbox.records('Tasks'), await sandbox.records('Notes'), await sandbox.records('Leads')];
    const events = (await stack.sql<{ lead_id: string; type: string; occurred_at: Date; data: Record<string, unknown> }>(
      'SELECT lead_id, type, occurred_at, data FROM lead_events ORDER BY occurred_at, id',
    )).map((r) => ({ leadId: r.lead_id, type: r.type, occurredAt: new Date(r.occurred_at).getTime(), data: r.data }));
    const effects = await stack.sql<LedgerEffect>('SELECT * FROM effects');
    const optOutRows = await stack.sql<{ lead_id: string; opted_out_at: Date }>('SELECT lead_id, opted_out_at FROM opt_outs');
    for (const click of optOuts) {
      const row = optOutRows.find((r) => r.lead_id === click.leadId);
      click.inLedgerAt = row ? iso(new Date(row.opted_out_at).getTime()) : null;
      if (!row) problems.push(`${click.leadId} clicked the one-click link but the ledger has no opt-out`);
    }
    for (const x of stack.services) x.closeOutages();

    // The mail each targeted fault met: the first to its address after it was armed.
    const firstMailTo = (email: string, after: number) => mails.find((m) => m.to.includes(email) && m.receivedAt >= after);
    for (const f of faults) {
      const mail = f.target && firstMailTo(f.target.email, f.target.after);
      const key = mail ? messageKey(mail.messageId) : null;
      if (key) f.keys = [key];
    }
    for (const f of smtpFaults) {
      if (!f.fired) continue;
      const mail = firstMailTo(f.email, f.armedAt);
      const key = mail ? messageKey(mail.messageId) : null;
      faults.push({ at: f.armedAt, kind: f.kind, detail: `armed for ${f.email}`, ...(key ? { keys: [key] } : {}) });
    }
    if (smtpOutage) {
      const { from, to } = smtpOutage;
      smtpOutage.mailsDuring = mails.filter((m) => m.receivedAt > Date.parse(from) + 1_000 && m.receivedAt < Date.parse(to)).length;
    }

    const result = tally({
      leads, mails, zoho: { tasks, notes, leads: zohoLeads }, events, effects,
      optOuts: new Map(optOutRows.map((r) => [r.lead_id, new Date(r.opted_out_at).getTime()])),
      states, workflows, outages: stack.services.flatMap((x) => x.outages), faults, dayMs, endAt,
    });
    const { table, ...details } = result;
    const passed = table.duplicated + table.otherDuplicates + table.mailsAfterOptOut + table.mailsWithoutClaim + table.workflowsFailed + table.workflowsStuck === 0;
    report = {
      seed: options.seed,
      options: { ...options, say: undefined } as Omit<ChaosOptions, 'say'>,
      startedAt: iso(began),
      durationSeconds: Math.round((Date.now() - began) / 1000),
      table,
      tally: details,
      faults: {
        kills, killsInsideSends, workerRestartSeconds: restartSeconds,
        crashes: Object.fromEntries(stack.services.filter((x) => x.crashes.length).map((x) => [x.name, {
          atStart: x.crashes.filter((c) => c.phase === 'start').length, running: x.crashes.filter((c) => c.phase === 'running').length,
        }])),
        temporalRestarts, postgresRestarts, smtpOutage,
        smtp: smtpFaults.map(({ kind, email, fired }) => ({ kind, email, fired })),
        zoho: { ...zohoCalls.counts },
        tokenRevoked, optOuts, log: faults, problems,
      },
      passed,
    };
    printReport(report, say);
    if (options.json) writeFileSync(options.json, JSON.stringify(report, null, 2));
    return report;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await stack.stop();
    process.removeListener('exit', lastResort);
    if (report?.passed && !options.keep) rmSync(stack.dir, { recursive: true, force: true });
    else say(`kept ${stack.dir} for a look`);
  }
}

/**
 * RFC 8058 one-click: what a mail client does with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
 * A mail client posts once; the run tries again for up to three minutes (as a person clicking again
 * would), to learn whether the opt-out ever reaches the lead. 0: no answer (a timeout).
 */
async function oneClick(url: string, click: { firstStatus: number; status: number; tries: number }): Promise<void> {
  const deadline = Date.now() + 3 * 60_000;
  for (;;) {
    click.tries++;
    const res = await fetch(url, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click', signal: AbortSignal.timeout(30_000),
    }).catch(() => null);
    await res?.body?.cancel();
    click.status = res?.status ?? 0;
    if (click.tries === 1) click.firstStatus = click.status;
    if (click.status && click.status < 500) return;
    if (Date.now() > deadline) return;
    await sleep(2_000);
  }
}

/** Leads whose stage (as the ledger's lead_views has it) is a resting point. */
async function restingCount(stack: ChaosStack, leadIds: string[]): Promise<number> {
  const rows = await stack.sql<{ n: string }>('SELECT count(*) AS n FROM lead_views WHERE lead_id = ANY($1) AND (stage = ANY($2) OR (view->>\'contactProblem\')::boolean IS TRUE)', [leadIds, RESTING_STAGES], 5_000)
    .catch(() => [{ n: '0' }]);
  return Number(rows[0]?.n ?? 0);
}

/**
 * After the faults: cadence days pass for touches they delayed to catch up, then no lead may have an
 * activity still retrying or a workflow task failing (or the wait gives up, and the tally says so).
 */
async function settle(stack: ChaosStack, leadIds: string[], dayMs: number, say: (m: string) => void): Promise<void> {
  await sleep(Math.max(30_000, 3 * dayMs));
  const deadline = Date.now() + Math.max(5 * 60_000, 20 * dayMs);
  for (;;) {
    const statuses = await workflowStatuses(stack, leadIds);
    // A closed run may still list the activity it left behind: only open ones can be busy.
    const busy = [...statuses].filter(([, s]) => 'error' in s || (s.status === 'RUNNING' && (s.pendingWorkflowTaskAttempt > 1 || s.pendingActivities.some((a) => a.attempt > 1))));
    if (!busy.length) return;
    const what = busy.slice(0, 3).map(([id, s]) => `${id}: ${'error' in s ? s.error : s.pendingWorkflowTaskAttempt > 1 ? `workflow task attempt ${s.pendingWorkflowTaskAttempt}` : s.pendingActivities.filter((a) => a.attempt > 1).map((a) => `${a.type} attempt ${a.attempt}${a.lastFailure ? ` (${a.lastFailure})` : ''}`).join(', ')}`).join('; ');
    if (Date.now() > deadline) {
      say(`${busy.length} workflows still retrying when the wait for quiet ran out: ${what}`);
      return;
    }
    say(`${busy.length} workflows still retrying something (${what}); waiting`);
    await sleep(10_000);
  }
}

async function pooled<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  }));
  return results;
}

/** Each lead's state, as its workflow answers the API's query. */
async function leadStates(stack: ChaosStack, leadIds: string[]): Promise<Map<string, LeadState | { error: string }>> {
  const answers = await pooled(leadIds, 6, async (leadId) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${stack.apiUrl}/api/leads/${leadId}`, { headers: { Authorization: `Bearer ${CHAOS_API_KEY}` }, signal: AbortSignal.timeout(30_000) });
        if (res.ok) return (await res.json()) as LeadState;
        if (attempt >= 3) return { error: `GET /api/leads/${leadId} answered ${res.status}` };
      } catch (err) {
        if (attempt >= 3) return { error: (err as Error).message };
      }
      await sleep(2_000);
    }
  });
  return new Map(leadIds.map((id, i) => [id, answers[i]!]));
}

/** Each lead's latest run as Temporal describes it: its status, its workflow task's attempt, its activities. */
async function workflowStatuses(stack: ChaosStack, leadIds: string[]): Promise<Map<string, WorkflowStatus | { error: string }>> {
  const answers = await pooled(leadIds, 8, async (leadId): Promise<WorkflowStatus | { error: string }> => {
    try {
      const d = await stack.client.workflow.getHandle(leadWorkflowId({ leadId })).describe();
      return {
        status: d.status.name,
        pendingWorkflowTaskAttempt: d.raw.pendingWorkflowTask?.attempt ?? 0,
        pendingActivities: (d.raw.pendingActivities ?? []).map((a) => ({
          type: a.activityType?.name ?? '?',
          attempt: a.attempt ?? 0,
          lastFailure: a.lastFailure?.message ?? null,
        })),
      };
    } catch (err) {
      return { error: (err as Error).message };
    }
  });
  return new Map(leadIds.map((id, i) => [id, answers[i]!]));
}

const ROWS: [keyof ChaosTable, string, boolean][] = [
  ['expected', 'touches expected', false],
  ['once', '  done exactly once', false],
  ['duplicated', '  duplicated', true],
  ['lost', '  lost', false],
  ['uncertain', '  uncertain (nothing arrived)', false],
  ['skipped', '  skipped with a recorded reason', false],
  ['uncertainAll', 'uncertain, all (incl. arrived once)', false],
  ['mailsAfterOptOut', 'mails after an opt-out', true],
  ['mailsInFlightAtOptOut', 'mails in flight at an opt-out', false],
  ['tasksAfterOptOut', 'Zoho tasks after an opt-out', false],
  ['otherDuplicates', 'other effects duplicated', true],
  ['mailsWithoutClaim', 'mails sent without a ledger claim', true],
  ['workflowsFailed', 'workflows failed', true],
  ['workflowsStuck', 'workflows stuck', true],
  ['notAtRest', 'leads not at a resting point', false],
  ['leadsMissingInZoho', 'leads missing in Zoho', false],
];

export function formatTable(table: ChaosTable): string {
  const width = Math.max(...ROWS.map(([, label]) => label.length)) + 2;
  return ROWS.map(([key, label, gating]) => `${label.padEnd(width)}${String(table[key]).padStart(6)}${gating && table[key] ? '   ✗' : ''}`).join('\n');
}

function printReport(report: ChaosReport, say: (m: string) => void): void {
  const { tally: t, faults: f } = report;
  const list = <T>(title: string, items: T[], show: (x: T) => string, max = 25) => {
    if (!items.length) return;
    say(`${title} (${items.length}):`);
    for (const x of items.slice(0, max)) say(`  ${show(x)}`);
    if (items.length > max) say(`  … and ${items.length - max} more (see the JSON report)`);
  };
  say('');
  say(`faults: ${f.kills} worker kills (${f.killsInsideSends} while a mail was on the wire), worker back in ${median(f.workerRestartSeconds).toFixed(1)} s (median); ` +
    `Temporal restarted ${f.temporalRestarts}×, PostgreSQL ${f.postgresRestarts}×; SMTP outage ${f.smtpOutage ? `${f.smtpOutage.from} → ${f.smtpOutage.to}, ${f.smtpOutage.refused}/${f.smtpOutage.probes} probes refused, ${f.smtpOutage.mailsDuring} mails arrived meanwhile` : 'none'}; ` +
    `Zoho token revoked ${f.tokenRevoked ? `${f.tokenRevoked.from} → ${f.tokenRevoked.to}` : 'never'}; ${f.optOuts.length} opt-outs`);
  const refusedClicks = f.optOuts.filter((o) => o.firstStatus !== 200);
  if (refusedClicks.length) say(`one-click unsubscribes not answered 200 at once: ${refusedClicks.map((o) => `${o.leadId} (${o.firstStatus || 'no answer'}, then ${o.status || 'no answer'} after ${o.tries} tries; in the ledger ${o.inLedgerAt ?? 'never'})`).join('; ')}`);
  say(`SMTP faults for one mail: ${f.smtp.map((x) => `${x.kind} ${x.fired ? 'met' : 'unused'}`).join(', ') || 'none'}`);
  say(`Zoho CRM calls: ${Object.entries(f.zoho).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (Object.keys(f.crashes).length) say(`services that exited on their own (and were started again): ${JSON.stringify(f.crashes)}`);
  list('problems running the faults', f.problems, (p) => p);
  list('duplicates', t.duplicates, (d) => `${d.what} ${d.key} ×${d.count}`);
  list('lost touches', t.lost, (v) => `${v.key} (${v.channel}, due ${v.nominalAt}): ${v.why}`);
  list('uncertain touches', t.uncertain, (u) => `${u.key} (${u.delivered ? 'arrived once' : 'nothing arrived'}; claim ${u.claim ?? 'none'}): ${u.cause}`);
  list('mails in flight when the lead opted out (claimed before)', t.inFlightAtOptOut, (a) => `${a.key ?? '?'} at ${a.at}: claimed at ${a.claimedAt}, opted out (ledger) at ${a.optedOutAt}`);
  list('mails/tasks after an opt-out', t.afterOptOut, (a) => `${a.what} ${a.key ?? '?'} at ${a.at}: opted out (ledger) at ${a.optedOutAt}, claimed at ${a.claimedAt ?? '?'}, the workflow knew at ${a.workflowKnewAt ?? 'never'}`);
  list('mails without a ledger claim', t.mailsWithoutClaim, (m) => `${m.key} to ${m.to}`);
  list('failed workflows', t.failed, (x) => `${x.leadId}: ${x.status}`);
  list('stuck workflows', t.stuck, (x) => `${x.leadId}: ${x.why}`);
  list('leads not at a resting point', t.notAtRest, (x) => `${x.leadId}: ${x.stage}`, 10);
  list('leads missing in Zoho', t.leadsMissingInZoho, (x) => `${x.leadId}: ${x.why}`, 10);
  const skippedWhy = new Map<string, number>();
  for (const s of t.skipped) skippedWhy.set(s.why ?? '?', (skippedWhy.get(s.why ?? '?') ?? 0) + 1);
  list('skipped, by reason', [...skippedWhy], ([why, n]) => `${n} × ${why}`);
  for (const n of t.notes) say(`note: ${n}`);
  say('');
  for (const line of formatTable(report.table).split('\n')) say(line);
  say('');
  say(`seed ${report.seed} · ${report.options.leads} leads · ${report.durationSeconds} s · ${report.passed ? 'PASSED' : 'FAILED'}`);
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      leads: { type: 'string' }, kills: { type: 'string' }, seed: { type: 'string' }, day: { type: 'string' },
      'enrol-over': { type: 'string' }, 'smtp-outage': { type: 'string' }, 'temporal-restarts': { type: 'string' }, 'postgres-restarts': { type: 'string' },
      'opt-outs': { type: 'string' }, 'zoho-faults': { type: 'string' }, 'token-revoked': { type: 'string' }, 'smtp-rejects': { type: 'string' }, 'smtp-drops': { type: 'string' },
      'time-limit': { type: 'string' }, 'log-level': { type: 'string' }, keep: { type: 'boolean' }, json: { type: 'string' },
    },
  });
  const int = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number.parseInt(v, 10));
  const ms = (v: string | undefined, fallback: number) => (v === undefined ? fallback : durationMs(v));
  const options: ChaosOptions = {
    leads: int(a.leads, FULL_RUN.leads),
    kills: int(a.kills, FULL_RUN.kills),
    seed: int(a.seed, randomInt(1, 2 ** 31 - 1)),
    day: a.day ?? FULL_RUN.day,
    enrolOverMs: ms(a['enrol-over'], FULL_RUN.enrolOverMs),
    smtpOutageMs: ms(a['smtp-outage'], FULL_RUN.smtpOutageMs),
    temporalRestarts: int(a['temporal-restarts'], FULL_RUN.temporalRestarts),
    postgresRestarts: int(a['postgres-restarts'], FULL_RUN.postgresRestarts),
    optOuts: int(a['opt-outs'], FULL_RUN.optOuts),
    zohoFaultPercent: int(a['zoho-faults'], FULL_RUN.zohoFaultPercent),
    tokenRevokedMs: ms(a['token-revoked'], FULL_RUN.tokenRevokedMs),
    smtpRejects: int(a['smtp-rejects'], FULL_RUN.smtpRejects),
    smtpDrops: int(a['smtp-drops'], FULL_RUN.smtpDrops),
    timeLimitMs: ms(a['time-limit'], FULL_RUN.timeLimitMs),
    logLevel: a['log-level'] ?? FULL_RUN.logLevel,
    keep: a.keep ?? false,
    ...(a.json ? { json: a.json } : {}),
  };
  for (const [name, value] of Object.entries(options)) {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`--${name} must be a number`);
  }
  const report = await runChaos(options);
  process.exit(report.passed ? 0 : 1);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`chaos run failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(2);
  });
}

