import type { LeadState } from '../../domain/lead-state';
import { parseMail } from '../../dev/smtp-catcher/catcher';
import { DAILY_BOTTLENECKS_SCHEDULE, ensureSchedules, WEEKLY_REPORT_SCHEDULE } from '../../integrations/temporal/schedules';
import { aLead } from '../support/leads';
import { API_KEY, eventually, startStack, TEAM_EXECUTIVE, type Stack } from '../support/stack';
import { anAccount, signedIn } from '../support/web';

/**
 * The director's schedules on the real stack: they exist as Temporal Schedules, and the weekly report
 * triggered now arrives over SMTP with the figures of what happened this week.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 180_000);
afterAll(() => stack?.stop());

const api = {
  post: (path: string, body: object) => stack.api.post(path).set('Authorization', `Bearer ${API_KEY}`).send(body),
  state: async (leadId: string) => (await stack.api.get(`/api/leads/${leadId}`).set('Authorization', `Bearer ${API_KEY}`).expect(200)).body as LeadState,
};

/** Three leads this week: one interested then asking for a proposal, one not answering, one untouched. */
async function aWeekOfWork(): Promise<void> {
  const ids: string[] = [];
  for (const name of ['Abril', 'Bruno', 'Celia']) ids.push((await api.post('/api/leads', aLead({ firstName: name, country: 'CO' })).expect(201)).body.leadId);
  // Outcomes close the day-1 call once it is due, so they count as call touches.
  await eventually(async () => {
    for (const id of ids) if (!(await api.state(id)).touches.some((t) => t.channel === 'call' && t.status === 'due')) throw new Error('call not due yet');
  });
  await api.post(`/api/leads/${ids[0]}/outcomes`, { type: 'interested' }).expect(200);
  await api.post(`/api/leads/${ids[0]}/outcomes`, { type: 'proposal_requested' }).expect(200);
  await api.post(`/api/leads/${ids[1]}/outcomes`, { type: 'no_answer' }).expect(200);
  // The ledger has everything the workflows recorded before the report reads it.
  await eventually(async () => {
    const { rows } = await stack.ledger.pool.query(
      `SELECT count(*) FILTER (WHERE type = 'outcome_recorded') AS outcomes, count(*) FILTER (WHERE type = 'stage_changed' AND data->>'to' = 'proposal') AS proposals FROM lead_events`,
    );
    if (Number(rows[0].outcomes) < 3 || Number(rows[0].proposals) < 1) throw new Error('not recorded yet');
  });
}

test('the schedules exist in the company time zone, and the weekly report arrives with this week\'s figures', async () => {
  await ensureSchedules(stack.env.client, 'America/El_Salvador');
  await ensureSchedules(stack.env.client, 'America/El_Salvador'); // every worker start does this again
  const weekly = await stack.env.client.schedule.getHandle(WEEKLY_REPORT_SCHEDULE).describe();
  expect(weekly.spec.timezone).toBe('America/El_Salvador');
  expect(weekly.spec.calendars?.[0]).toMatchObject({ dayOfWeek: [{ start: 'MONDAY', end: 'MONDAY', step: 1 }], hour: [{ start: 8, end: 8, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
  expect(weekly.action).toMatchObject({ workflowType: 'weeklyReportWorkflow' });
  const daily = await stack.env.client.schedule.getHandle(DAILY_BOTTLENECKS_SCHEDULE).describe();
  expect(daily.action).toMatchObject({ workflowType: 'dailyBottlenecksWorkflow' });

  await aWeekOfWork();
  await stack.env.client.schedule.getHandle(WEEKLY_REPORT_SCHEDULE).trigger();
  const mail = await parseMail(await stack.catcher.waitFor((m) => m.envelope.to.includes('director@example.com') && m.raw.includes('Informe semanal'), 60_000));
  expect(mail.subject).toMatch(/^Informe semanal de seguimiento · /);
  const text = mail.text ?? '';
  // Worked out by hand: 3 created; 2 call touches made (interested, no_answer), 1 answered → 50 %;
  // both contacted within 24 h (the third is not judged yet) → 100 %; 1 of 2 contacted reached proposal → 50 %.
  expect(text).toMatch(/Leads creados\D+3\b/);
  expect(text).toMatch(/Llamada\D+50 %/);
  expect(text).toMatch(/dentro de(l SLA| 24 h)\D+100 %/);
  expect(text).toMatch(/propuesta o (el )?cierre\D+50 %/);
  // The charts travel as inline PNGs; the parser swaps each cid reference for its image, so the
  // count of inlined images proves the HTML references every one of them.
  const pngs = mail.attachments.filter((a) => a.contentType === 'image/png');
  expect(pngs.length).toBeGreaterThanOrEqual(3);
  expect(String(mail.html).match(/<img src="data:image\/png;base64,/g)).toHaveLength(pngs.length);
});

test('the dashboard shows the same figures, filters by executive and exports them as CSV', async () => {
  const director = await anAccount(stack.ledger, 'director');
  const { agent } = await signedIn(stack.app, director.email);
  const page = await agent.get('/panel').expect(200);
  expect(page.text).toMatch(/data-kpi="leadsCreated"><td>Leads creados<\/td><td><strong>3</);
  expect(page.text).toMatch(/data-kpi="contactRate.call"><td>[^<]+<\/td><td><strong>50 %</);
  const mine = await agent.get(`/panel?owner=${encodeURIComponent('nobody@empresa.example')}`).expect(200);
  expect(mine.text).toMatch(/data-kpi="leadsCreated"><td>Leads creados<\/td><td><strong>0</);
  const csv = await agent.get('/panel.csv').expect(200).expect('Content-Type', /text\/csv/);
  expect(csv.text.split('\n')[0]).toBe('period_from,period_to,group,key,kpi,value');
  expect(csv.text).toMatch(/,overall,,leadsCreated,3\n/);
  expect(csv.text).toMatch(new RegExp(`,executive,${TEAM_EXECUTIVE.replace(/\./g, '\\.')},contactRate\\.call,50\\n`));
});

test('the daily check mails the director only on a day with bottlenecks, naming who is over their cap', async () => {
  const daily = stack.env.client.schedule.getHandle(DAILY_BOTTLENECKS_SCHEDULE);
  const runs = async () => {
    const results: unknown[] = [];
    for await (const wf of stack.env.client.workflow.list({ query: "WorkflowType = 'dailyBottlenecksWorkflow' AND ExecutionStatus = 'Completed'" })) {
      results.push(await stack.env.client.workflow.getHandle(wf.workflowId, wf.runId).result());
    }
    return results;
  };
  await daily.trigger();
  expect(await eventually(async () => {
    const done = await runs();
    if (done.length < 1) throw new Error('not run yet');
    return done;
  })).toEqual([{ sent: false }]);

  // Three active leads on a cap of one.
  await stack.ledger.pool.query('UPDATE users SET cap = 1 WHERE email = $1', [TEAM_EXECUTIVE]);
  try {
    await daily.trigger();
    const mail = await eventually(async () => {
      const mails = await Promise.all(stack.catcher.list().map(parseMail));
      const found = mails.find((m) => m.subject?.startsWith('Cuellos de botella'));
      if (!found) throw new Error('no bottleneck mail yet');
      return found;
    });
    expect(mail.subject).toMatch(/1 ejecutiva sobre su tope/);
    expect(mail.text).toContain('Equipo de seguimiento');
  } finally {
    await stack.ledger.pool.query('UPDATE users SET cap = 100000 WHERE email = $1', [TEAM_EXECUTIVE]);
  }
});
