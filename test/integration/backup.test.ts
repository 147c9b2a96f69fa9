import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Pool } from 'pg';
import { Accounts } from '../../api/web/accounts';
import { leadWorkflowId } from '../../domain/ids';
import { backup, BACKUP_DATABASES, postgresTools, PostgresToolsMissing, readManifest, restore } from '../../dev/backup';
import { ProductionTopology } from '../../dev/production-topology';
import { eventually } from '../support/stack';

/**
 * `npm run backup` and `npm run restore` (dev/backup.ts, docs/operations.md) on the real thing: a lead
 * enrolled through the production topology's API (the real Temporal server on PostgreSQL, a worker in
 * production mode) gets its welcome mail, claimed in the ledger; the ledger and Temporal's two
 * databases are dumped; a second topology restores them into a PostgreSQL that never saw them, starts
 * the Temporal server on what was restored, and finds the lead's workflow with the same history,
 * listed through SQL visibility, and the ledger row for row the same.
 */
const EXECUTIVE = 'ejecutiva.respaldo@empresa.example';
const person = {
  firstName: 'Renata', lastName: 'Respaldo', email: 'respaldo@leads.example.com', country: 'CO', profile: 'b2c', source: 'api',
  course: { code: 'DS-101', name: 'Ciencia de Datos con Python', startDate: '2027-02-01' },
};

const dirs: string[] = [];
let original: ProductionTopology | undefined;
let restored: ProductionTopology | undefined;
const log: string[] = [];
const say = (m: string) => log.push(m);

afterAll(async () => {
  await original?.stop().catch(() => undefined);
  await restored?.stop().catch(() => undefined);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, 120_000);

/** Every ledger table, as a row count and a digest of its rows in a stable order. */
async function ledgerContents(databaseUrl: string): Promise<Record<string, { rows: number; md5: string | null }>> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { rows: tables } = await pool.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
    const contents: Record<string, { rows: number; md5: string | null }> = {};
    for (const { tablename } of tables) {
      const { rows } = await pool.query<{ n: number; md5: string | null }>(`SELECT count(*)::int AS n, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS md5 FROM "${tablename}" t`);
      contents[tablename] = { rows: rows[0]!.n, md5: rows[0]!.md5 };
    }
    return contents;
  } finally {
    await pool.end();
  }
}

const eventsOf = async (topology: ProductionTopology, workflowId: string) =>
  ((await topology.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).map((e) => `${String(e.eventId)} ${String(e.eventType)} ${String(e.eventTime?.seconds)}`);

test('the ledger and Temporal dumped and restored into a new PostgreSQL: the workflow, its history and the ledger are all there', async () => {
  const began = Date.now();
  const seconds = (from: number) => ((Date.now() - from) / 1000).toFixed(1);
  const dir = mkdtempSync(join(tmpdir(), 'seguimiento-backup-'));
  dirs.push(dir);
  original = new ProductionTopology({ dir: join(dir, 'original'), workers: 1, apis: 1, logLevel: 'warn', temporalLogToFile: true, say });
  await original.start().catch((err: Error) => Promise.reject(new Error(`the topology did not start: ${err.message}\n${log.join('\n')}`)));
  const started = seconds(began);

  const pool = new Pool({ connectionString: original.databaseUrl, max: 1 });
  pool.on('error', () => undefined);
  try {
    await new Accounts(pool).create({ email: EXECUTIVE, name: 'Ejecutiva de respaldo', role: 'executive', password: 'backup-executive-password' });
    const res = await fetch(`${original.apiUrl(0)}/api/leads`, {
      method: 'POST', headers: { Authorization: `Bearer ${original.secrets.API_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify(person),
    });
    expect(res.status).toBe(201);
    const { leadId } = (await res.json()) as { leadId: string };
    // The welcome mail went out: its claim is done in the ledger.
    await eventually(async () => {
      const { rowCount } = await pool.query("SELECT 1 FROM effects WHERE lead_id = $1 AND state = 'done'", [leadId]);
      if (!rowCount) throw new Error('no effect of the lead is done yet');
    }, 120_000);
    // Stopped, nothing moves while the databases are dumped: what was there is what must come back.
    await Promise.all([...original.apis, ...original.workers].map((s) => s.stop('backup')));
    const workflowId = leadWorkflowId({ leadId });
    // An answer the worker sent while draining may still be written: the history is read once it holds still.
    let history = await eventsOf(original, workflowId);
    for (let settled = Date.now() + 30_000; Date.now() < settled; ) {
      await new Promise((r) => setTimeout(r, 3_000));
      const again = await eventsOf(original, workflowId);
      if (again.length === history.length) break;
      history = again;
    }
    const ledger = await ledgerContents(original.databaseUrl);
    expect(ledger.effects!.rows).toBeGreaterThan(0);
    expect(ledger.lead_events!.rows).toBeGreaterThan(0);
    await pool.end();

    const backupBegan = Date.now();
    const { dir: backupDir, manifest } = await backup({ login: original.superuserLogin, out: join(dir, 'backups'), say });
    const backupSeconds = seconds(backupBegan);
    expect(await eventsOf(original, workflowId)).toEqual(history);
    expect(readManifest(backupDir)).toEqual(manifest);
    expect(manifest.databases.map((d) => d.name)).toEqual([...BACKUP_DATABASES]);
    for (const db of manifest.databases) {
      expect(db.bytes).toBeGreaterThan(0);
      expect(db.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(db.schemaVersion).toMatch(/^\d+(\.\d+)*$/);
    }
    expect(manifest.databases.map((d) => [d.name, d.owner])).toEqual([['temporal_visibility', 'temporal'], ['temporal', 'temporal'], ['seguimiento', 'seguimiento']]);
    await original.stop();
    original = undefined;

    const restoreBegan = Date.now();
    restored = new ProductionTopology({
      dir: join(dir, 'restored'), workers: 0, apis: 0, logLevel: 'warn', temporalLogToFile: true, say,
      afterPostgres: (login) => restore({ login, dir: backupDir, say }),
    });
    await restored.start().catch((err: Error) => Promise.reject(new Error(`the restored topology did not start: ${err.message}\n${log.join('\n')}`)));
    const restoreSeconds = seconds(restoreBegan);

    const description = await restored.client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('RUNNING');
    // Every event of the history is back. The server then carries on where it stood: a workflow task
    // left on the stopped worker's sticky queue times out and is scheduled again (nothing else).
    const after = await eventsOf(restored, workflowId);
    expect(after.slice(0, history.length)).toEqual(history);
    const { EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, EVENT_TYPE_WORKFLOW_TASK_STARTED } = temporal.api.enums.v1.EventType;
    const carriedOn = new Set([EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, EVENT_TYPE_WORKFLOW_TASK_STARTED].map(String));
    expect(after.slice(history.length).filter((e) => !carriedOn.has(e.split(' ')[1]!))).toEqual([]);
    // Listed through the restored visibility database, with its search attributes.
    const listed: string[] = [];
    for await (const wf of restored.client.workflow.list({ query: `WorkflowId = '${workflowId}' AND LeadCountry = 'CO'` })) listed.push(wf.workflowId);
    expect(listed).toEqual([workflowId]);
    expect(await ledgerContents(restored.databaseUrl)).toEqual(ledger);

    // A second restore over what is there now is refused, and says why.
    await expect(restore({ login: restored.superuserLogin, dir: backupDir })).rejects.toThrow(/database "seguimiento" is not empty/);
    // A damaged dump is refused before anything is touched.
    const damaged = join(dir, 'damaged');
    cpSync(backupDir, damaged, { recursive: true });
    const file = join(damaged, manifest.databases[2]!.file);
    writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from('x')]));
    await expect(restore({ login: restored.superuserLogin, dir: damaged })).rejects.toThrow(/seguimiento\.dump is damaged/);
    const sizes = manifest.databases.map((d) => `${d.name} ${d.bytes} B`).join(', ');
    console.log(
      `backup: ${sizes} (${manifest.tools.pgDump} against PostgreSQL ${manifest.server.version}) in ${backupSeconds} s; ` +
        `restored and Temporal started on it in ${restoreSeconds} s; history ${history.length} events; ` +
        `original topology started in ${started} s; test ${seconds(began)} s\n${readFileSync(join(backupDir, 'manifest.json'), 'utf8')}`,
    );
  } finally {
    if (!pool.ended) await pool.end().catch(() => undefined);
  }
}, 6 * 60_000);

test('the dump tools are the project\'s PostgreSQL 18; a server newer than every pg_dump there is is refused with what to install', async () => {
  const tools = await postgresTools(18);
  expect(tools.pgDump).toMatch(/\.tools\/postgresql\/[\d.]+\/bin\/pg_dump$/);
  expect(tools.version).toMatch(/^pg_dump \(PostgreSQL\) 18\./);
  const refused = postgresTools(99);
  await expect(refused).rejects.toBeInstanceOf(PostgresToolsMissing);
  await expect(refused).rejects.toThrow(/No pg_dump and pg_restore for a PostgreSQL 99 server .*npm run setup/);
});
