import { spawn } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { resolve } from 'node:path';
import { getLeadState } from '../../domain/messages';
import { createActivities } from '../../activities';
import { leadIdFor, leadWorkflowId, messageIdFor } from '../../domain/ids';
import { leadInputSchema } from '../../domain/lead';
import { parseMail } from '../../dev/smtp-catcher/catcher';
import { defaultPolicy } from '../../domain/policy';
import { LeadService } from '../../services/lead-service';
import { aLead } from '../support/leads';
import { API_KEY, eventually, MAIL_DOMAIN, PUBLIC_URL, SECRETS, startStack, TEAM_EXECUTIVE, type Stack } from '../support/stack';

/** Touch emails as leads receive them, over real SMTP, and what leads can do with them. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
}, 180_000);
afterAll(() => stack?.stop());
afterEach(() => stack.stopWorker());

const enrol = async (overrides = {}) => {
  const lead = aLead(overrides);
  const { body } = await stack.api.post('/api/leads').set('Authorization', `Bearer ${API_KEY}`).send(lead).expect(201);
  return { lead, leadId: body.leadId as string, workflowId: body.workflowId as string };
};
const mailTo = (email: string) => stack.catcher.waitFor((m) => m.envelope.to.includes(email), 60_000);
/** A header as it was on the wire (mailparser turns some, like List-Unsubscribe, into objects). */
const rawHeader = (parsed: Awaited<ReturnType<typeof parseMail>>, name: string) =>
  parsed.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '') ?? '';
const stateOf = (leadId: string) => stack.env.client.workflow.getHandle(leadWorkflowId({ leadId })).query(getLeadState);

test('a Brazilian lead gets a personalised email in Portuguese with the headers that make replies and unsubscribing work', async () => {
  await stack.startWorker();
  const { lead, leadId } = await enrol({
    firstName: 'Ana', lastName: 'Souza', country: 'BR', profile: 'b2b', company: 'Dados SA',
    course: { code: 'AI-200', name: 'IA Generativa', startDate: '2027-03-01', seatsLeft: 40 },
  });
  const parsed = await parseMail(await mailTo(lead.email));
  expect(parsed.subject).toBe('Seu interesse em IA Generativa');
  expect(parsed.text).toContain('Olá, Ana!');
  expect(parsed.text).toContain('equipe da Dados SA'); // b2b speaks to the team and budget approval
  expect(parsed.text).not.toMatch(/Restam \d+ vagas/); // 40 seats left is no reason for urgency
  expect(parsed.messageId).toBe(`<${leadId}.step-0.attempt-1@example.com>`);
  // Routing gave the lead an owner before the first email: replies go straight to that person.
  expect(parsed.replyTo?.text).toBe(TEAM_EXECUTIVE);
  expect(parsed.from?.value[0]).toMatchObject({ name: 'Seguimiento', address: 'seguimiento@example.com' });
  const listUnsubscribe = rawHeader(parsed, 'list-unsubscribe');
  expect(listUnsubscribe).toMatch(new RegExp(`^<${PUBLIC_URL}/unsubscribe/${leadId}\\.[\\w-]+>$`));
  expect(rawHeader(parsed, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
  expect(parsed.text).toContain(`Cancele a inscrição: ${listUnsubscribe.slice(1, -1)}`);
  expect(parsed.html).toContain(`href="${listUnsubscribe.slice(1, -1)}"`);
});

test('the unsubscribe link opts the lead out at once and for good, even if they sign up again', async () => {
  await stack.startWorker();
  const { lead, leadId, workflowId } = await enrol();
  const parsed = await parseMail(await mailTo(lead.email));
  const link = new URL(rawHeader(parsed, 'list-unsubscribe').slice(1, -1));
  // One-click, as a mail client does it (RFC 8058).
  const res = await stack.api.post(link.pathname).type('form').send('List-Unsubscribe=One-Click').expect(200);
  expect(res.text).toContain('te diste de baja');
  const final = await stack.env.client.workflow.getHandle(workflowId).result();
  expect(final).toMatchObject({ stage: 'opted_out', nextStep: null });
  expect(await stack.ledger.isOptedOut({ leadId })).toBe(true);
  const again = await stack.api.post('/api/leads').set('Authorization', `Bearer ${API_KEY}`).send({ ...lead, source: 'web-form' }).expect(200);
  expect(again.body.stage).toBe('opted_out');
  // A forged or altered link opts out nobody.
  await stack.api.get(`/unsubscribe/${leadId}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`).expect(404);
  await stack.api.get('/unsubscribe/garbage').expect(404);
  await new Promise((r) => setTimeout(r, 1000));
  expect(stack.catcher.list().filter((m) => m.envelope.to.includes(lead.email))).toHaveLength(1);
});

test("opening the link changes nothing (mail scanners open every link); the page's button, in the lead's language, opts out", async () => {
  await stack.startWorker();
  const { lead, leadId } = await enrol({ firstName: 'Ana', lastName: 'Souza', country: 'BR' });
  const link = new URL(rawHeader(await parseMail(await mailTo(lead.email)), 'list-unsubscribe').slice(1, -1));
  // A scanner, a preview and the person, all with GET: a page with one button, and nothing else happens.
  for (let i = 0; i < 3; i++) {
    const page = await stack.api.get(link.pathname).expect(200);
    expect(page.text).toContain('Deixar de receber nossas mensagens?');
    expect(page.text).toMatch(/<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit"[^>]*>Sim, cancelar inscrição<\/button>/);
    expect(page.headers['cache-control']).toBe('no-store');
  }
  await new Promise((r) => setTimeout(r, 1000));
  expect(await stack.ledger.isOptedOut({ leadId })).toBe(false);
  expect((await stateOf(leadId)).stage).not.toBe('opted_out');
  // A POST that is neither the button nor RFC 8058 one-click changes nothing either.
  await stack.api.post(link.pathname).type('form').send('anything=else').expect(400);
  expect(await stack.ledger.isOptedOut({ leadId })).toBe(false);

  // The button posts what the page holds.
  const done = await stack.api.post(link.pathname).type('form').send({ 'List-Unsubscribe': 'One-Click' }).expect(200);
  expect(done.text).toContain('Pronto: inscrição cancelada');
  expect(await stack.ledger.isOptedOut({ leadId })).toBe(true);
  await eventually(async () => expect((await stateOf(leadId)).stage).toBe('opted_out'));
  expect((await stack.api.get(link.pathname).expect(200)).text).toContain('Sua inscrição já estava cancelada');
});

test('an opt-out is done once the ledger has it: with Temporal unreachable the person still gets their answer', async () => {
  const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const leads = new LeadService({ temporal: unreachable, ledger: stack.ledger, publicUrl: PUBLIC_URL, policy: defaultPolicy() });
  const leadId = leadIdFor(aLead().email);
  const started = Date.now();
  await expect(leads.optOut(leadId, 'unsubscribe-link')).resolves.toEqual({ workflowTold: false });
  console.log(`opt-out with Temporal unreachable answered in ${Date.now() - started} ms`);
  expect(await stack.ledger.isOptedOut({ leadId })).toBe(true);
  await unreachable.connection.close().catch(() => undefined);
}, 30_000);

test('a reply to our email ends the cadence of the right lead; an unknown sender changes nothing and is told so', async () => {
  await stack.startWorker();
  const { lead, leadId } = await enrol();
  const other = await enrol();
  const ours = await parseMail(await mailTo(lead.email));
  await mailTo(other.lead.email);
  const inbound = (body: object, secret: string = SECRETS.inboundEmailWebhook) => stack.api.post('/webhooks/inbound-email').set('X-Webhook-Secret', secret).send(body);

  await inbound({ from: 'x@example.com', inReplyTo: ours.messageId }, 'wrong-secret-wrong-secret').expect(401);
  expect((await inbound({ subject: 'no sender' }).expect(400)).body.fields.from).toBeDefined();
  const unknown = await inbound({ from: 'Nadie <nadie@example.org>', subject: 'Hola', text: '¿Quién eres?' }).expect(404);
  expect(unknown.body.message).toMatch(/No lead matches this message/);

  // The reply comes from another address of the same person: the thread identifies the lead.
  const reply = await inbound({ from: 'Valentina <valentina.personal@example.org>', subject: `Re: ${ours.subject}`, inReplyTo: ours.messageId, references: [ours.messageId!], text: 'Sí, me interesa' }).expect(200);
  expect(reply.body).toEqual({ matched: true, leadId, matchedBy: 'thread', kind: 'reply', delivered: true });
  const state = await eventually(async () => {
    const s = await stateOf(leadId);
    if (s.stage !== 'engaged') throw new Error(s.stage);
    return s;
  });
  expect(state.outcomes.map((o) => [o.type, o.by])).toEqual([['replied', 'inbound-email']]);
  // A message from a known lead's own address matches by sender.
  const bySender = await inbound({ from: other.lead.email.toUpperCase(), subject: 'Consulta' }).expect(200);
  expect(bySender.body).toMatchObject({ leadId: other.leadId, matchedBy: 'sender' });
  expect((await stateOf(other.leadId)).stage).not.toBe('opted_out');
});

test('SMTP down for a while: the email is delivered when it comes back, once, and the cadence goes on', async () => {
  await stack.startWorker();
  await stack.catcher.close();
  const { lead, leadId } = await enrol();
  await new Promise((r) => setTimeout(r, 5000));
  expect((await stateOf(leadId)).touches.filter((t) => t.status === 'done')).toHaveLength(0);
  await stack.catcher.listen(stack.smtpPort);
  await mailTo(lead.email);
  const state = await eventually(async () => {
    const s = await stateOf(leadId);
    // The day-1 call is in the executive's queue once its task is created (planned → due).
    if (s.touches.length < 2 || s.touches[1]!.status === 'planned') throw new Error('cadence not moving yet');
    return s;
  }, 60_000);
  expect(state.touches.map((t) => [t.kind, t.status])).toEqual([['welcome', 'done'], ['cadence', 'due']]);
  expect(stack.catcher.list().filter((m) => m.envelope.to.includes(lead.email))).toHaveLength(1);
}, 120_000);

test('a worker killed between sending an email and reporting it: after restart the email is not sent again', async () => {
  const crashing = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(__dirname, '../support/crash-after-send-worker.ts'),
      '--temporal', stack.env.address, '--namespace', stack.env.namespace ?? 'default', '--database', stack.databaseUrl,
      '--smtp', String(stack.smtpPort), '--zoho', stack.zohoUrl],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  crashing.stdout!.on('data', (c) => (out += String(c)));
  await eventually(async () => {
    if (!out.includes('READY')) throw new Error('crashing worker not ready');
  }, 60_000);
  const { lead, leadId } = await enrol();
  const exit = await new Promise<NodeJS.Signals | null>((ok) => crashing.once('exit', (_code, signal) => ok(signal)));
  expect(exit).toBe('SIGKILL');
  expect(out).toContain(`KILLED after sending <${leadId}.step-0.attempt-1@example.com>`);
  await mailTo(lead.email);

  // A healthy worker picks the lead up; Temporal retries the send once the dead attempt times out.
  await stack.startWorker();
  const state = await eventually(async () => {
    const s = await stateOf(leadId);
    if (!s.touches.some((t) => t.kind === 'welcome' && t.status === 'done')) throw new Error('welcome not completed yet');
    return s;
  }, 90_000);
  expect(state.touches.find((t) => t.kind === 'welcome')?.ref).toBe(`<${leadId}.step-0.attempt-1@example.com>`);
  await new Promise((r) => setTimeout(r, 1000));
  expect(stack.catcher.list().filter((m) => m.envelope.to.includes(lead.email))).toHaveLength(1);
}, 150_000);

test('an escalation reaches the director (and an owner with an address) over SMTP, once, with the lead and where to act', async () => {
  const input = leadInputSchema.parse(aLead({ company: 'Andes Datos SAS' }));
  const lead = { ...input, leadId: leadIdFor(input.email), createdAt: new Date().toISOString() };
  const activities = createActivities(stack.activityDeps);
  const escalation = {
    lead, workflowId: leadWorkflowId(lead), kind: 'sla_missed' as const, stage: 'contacting' as const,
    owner: 'ana.perez@example.com', key: `${lead.leadId}:sla:1`, publicUrl: PUBLIC_URL,
  };
  await activities.escalate(escalation);
  await activities.escalate(escalation); // a retry
  const mail = await stack.catcher.waitFor((m) => m.envelope.to.includes('director@example.com') && m.raw.includes(lead.leadId));
  expect(mail.envelope.to).toEqual(['director@example.com', 'ana.perez@example.com']);
  const parsed = await parseMail(mail);
  expect(parsed.subject).toBe('SLA incumplido: Valentina Rojas sin primer contacto a tiempo');
  expect(parsed.text).toContain(`Ver el lead: ${PUBLIC_URL}/leads/${lead.leadId}`);
  expect(parsed.text).toContain(`Ver en Temporal: http://localhost:8233/namespaces/default/workflows/lead-${lead.leadId}`);
  expect(parsed.text).toContain('Empresa: Andes Datos SAS');
  await new Promise((r) => setTimeout(r, 500));
  expect(stack.catcher.list().filter((m) => m.raw.includes(messageIdFor(escalation.key, MAIL_DOMAIN)))).toHaveLength(1);
});

test('a mailbox the server refuses for good (550) is not retried: the lead gets a "fix the contact" next step', async () => {
  await stack.startWorker();
  stack.catcher.rejectRecipients = /^bounce\./;
  try {
    const { lead, leadId } = await enrol({ email: `bounce.${Date.now()}@example.co` });
    const state = await eventually(async () => {
      const s = await stateOf(leadId);
      if (!s.contactProblem) throw new Error('not flagged yet');
      return s;
    });
    expect(state.nextStep?.action).toBe('Corregir el correo de Valentina (rechazado)');
    expect(state.touches.find((t) => t.kind === 'welcome')?.status).toBe('skipped');
    const failed = await eventually(async () => {
      const e = (await stack.ledger.eventsOf({ leadId })).find((x) => x.type === 'email_failed');
      if (!e) throw new Error('not in the ledger yet');
      return e;
    });
    expect(String(failed.data.error)).toMatch(/PermanentDeliveryError: SMTP rejected the message \(550\)/);
    await new Promise((r) => setTimeout(r, 3000)); // a retry would come after 2 s
    expect(stack.catcher.rejected.filter((a) => a === lead.email)).toHaveLength(1);
    // Fixed by a person: the follow-up resumes.
    const fixed = await stack.api.post(`/api/leads/${leadId}/commands`).set('Authorization', `Bearer ${API_KEY}`).send({ type: 'update_lead', changes: { phone: '+57 301 555 0000' } }).expect(200);
    expect(fixed.body.contactProblem).toBe(false);
  } finally {
    stack.catcher.rejectRecipients = null;
  }
});
