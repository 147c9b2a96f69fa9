import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { User } from '../../domain/accounts';
import type { LeadState } from '../../domain/lead-state';
import { launchChromium, screenshot } from '../support/browser';
import { aLead } from '../support/leads';
import { API_KEY, eventually, startStack, type Stack } from '../support/stack';
import { anAccount, PASSWORD } from '../support/web';

/**
 * The web app in a real headless Chromium against the real stack: what an executive does in a day.
 * Screenshots of the main pages land in test-results/screenshots/.
 */
let stack: Stack;
let server: Server;
let baseUrl: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let ana: User;
let director: User;

beforeAll(async () => {
  stack = await startStack();
  server = stack.app.listen(0, '127.0.0.1');
  await new Promise((ok) => server.once('listening', ok));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  [ana, director] = await Promise.all([anAccount(stack.ledger, 'executive', 'Ana Ejecutiva'), anAccount(stack.ledger, 'director', 'Diana Directora')]);
  browser = await launchChromium();
}, 180_000);

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'es-CO' });
  page = await context.newPage();
});

afterEach(() => context?.close());

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  await stack?.stop();
});

const api = {
  post: (path: string, body: object) => stack.api.post(path).set('Authorization', `Bearer ${API_KEY}`).send(body),
  state: async (leadId: string) => (await stack.api.get(`/api/leads/${leadId}`).set('Authorization', `Bearer ${API_KEY}`).expect(200)).body as LeadState,
};

async function signIn(email: string): Promise<void> {
  await page.goto(`${baseUrl}/mi-dia`);
  await page.waitForURL(/\/login/);
  await page.getByLabel('Correo').fill(email);
  await page.getByLabel('Contraseña').fill(PASSWORD);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.waitForURL(/\/mi-dia$/);
}

test('an executive signs in, works "Mi día", records an outcome and sees the next step change', async () => {
  const input = aLead({ firstName: 'Gabriela', lastName: 'Montoya', phone: '+57 310 222 3344', linkedinUrl: 'https://www.linkedin.com/in/gabriela-montoya' });
  const { body } = await api.post('/api/leads', input).expect(201);
  await api.post(`/api/leads/${body.leadId}/commands`, { type: 'reassign', owner: ana.email }).expect(200);
  await eventually(async () => {
    const { rows } = await stack.ledger.pool.query(`SELECT 1 FROM lead_views WHERE lead_id = $1 AND owner = $2 AND jsonb_array_length(view->'dueTouches') > 0`, [body.leadId, ana.email]);
    if (!rows.length) throw new Error('call not due yet');
  });

  await page.goto(`${baseUrl}/mi-dia`);
  await page.waitForURL(/\/login\?next=%2Fmi-dia/);
  await screenshot(page, '01-login');
  await signIn(ana.email);
  const card = page.locator(`article[data-lead="${body.leadId}"]`);
  await card.waitFor();
  await expect(card.locator('pre.script').innerText()).resolves.toContain('Llamar a Gabriela Montoya');
  await expect(card.getByRole('link', { name: /Llamar \+57 310 222 3344/ }).getAttribute('href')).resolves.toBe('tel:+573102223344');
  await expect(card.locator('.next-step').innerText()).resolves.toMatch(/^Toque \d\/5/);
  await screenshot(page, '02-mi-dia');

  await card.getByRole('button', { name: 'Interesado' }).click();
  await page.waitForURL(/\/mi-dia$/);
  await expect(page.getByRole('status').innerText()).resolves.toContain('Próximo paso: Definir el siguiente paso con Gabriela');
  await expect(page.locator(`article[data-lead="${body.leadId}"] .next-step`).count()).resolves.toBe(0);
  const state = await api.state(body.leadId);
  expect(state.stage).toBe('engaged');
  expect(state.nextStep?.action).toBe('Definir el siguiente paso con Gabriela');

  await page.getByRole('link', { name: 'Leads', exact: true }).click();
  await page.getByPlaceholder('Nombre, correo o empresa').fill('montoya');
  await page.getByRole('button', { name: 'Filtrar' }).click();
  await page.getByRole('link', { name: 'Gabriela Montoya' }).click();
  await expect(page.locator('.next-step').innerText()).resolves.toContain('Definir el siguiente paso con Gabriela');
  await expect(page.locator('ol.timeline').innerText()).resolves.toContain('Resultado: Interesado');
  await screenshot(page, '03-lead');

  // On a phone the same day's work fits the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${baseUrl}/leads`);
  await screenshot(page, '04-leads-phone');
  // Runs in the page, where `document` exists (this file is compiled without the DOM types).
  const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  expect(overflow).toBeLessThanOrEqual(0);
});

test('clicking "Guardar resultado" again while the first answer is on its way records the outcome once', async () => {
  const { body } = await api.post('/api/leads', aLead({ firstName: 'Renata', lastName: 'Duarte' })).expect(201);
  await api.post(`/api/leads/${body.leadId}/commands`, { type: 'reassign', owner: ana.email }).expect(200);
  await signIn(ana.email);
  await page.goto(`${baseUrl}/leads/${body.leadId}`);
  // A slow connection: the server has recorded the first click, its answer has not reached the browser.
  const sent: string[] = [];
  let secondClick!: () => void;
  const clickedAgain = new Promise<void>((ok) => (secondClick = ok));
  await page.route(`**/leads/${body.leadId}/outcome`, async (route) => {
    sent.push(route.request().postData() ?? '');
    const response = await route.fetch({ maxRedirects: 0 });
    if (sent.length === 1) await clickedAgain;
    else secondClick();
    // The browser dropped the first navigation when the form was sent again.
    await route.fulfill({ response }).catch(() => undefined);
  });
  await page.locator('#outcome-form select[name="type"]').selectOption('interested');
  // The mouse itself: Playwright's locator clicks would wait for the pending navigation.
  const button = page.locator('#outcome-form').getByRole('button', { name: 'Guardar resultado' });
  await button.scrollIntoViewIfNeeded();
  const save = await button.boundingBox();
  if (!save) throw new Error('no save button');
  const click = () => page.mouse.click(save.x + save.width / 2, save.y + save.height / 2);
  await click();
  await eventually(async () => {
    if ((await api.state(body.leadId)).counts.outcomes < 1) throw new Error('first click not recorded yet');
  });
  await click();
  await eventually(async () => {
    if (sent.length < 2) throw new Error('second click not sent yet');
  });
  await page.waitForURL(new RegExp(`/leads/${body.leadId}$`));
  await expect(page.getByRole('status').innerText()).resolves.toContain('Guardado: Interesado.');
  expect(sent).toHaveLength(2);
  expect(new Set(sent.map((p) => new URLSearchParams(p).get('idempotencyKey'))).size).toBe(1);
  expect((await api.state(body.leadId)).counts.outcomes).toBe(1);
});

test('an import of a small .xlsx with one bad row: preview, then the good rows enrolled', async () => {
  const stamp = Date.now();
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Leads');
  sheet.addRow(['Nombre', 'Apellido', 'Correo', 'País', 'Perfil', 'Código del curso', 'Curso', 'Teléfono']);
  sheet.addRow(['Paula', 'Rincón', `paula.${stamp}@example.co`, 'Colombia', 'b2c', 'PM-300', 'Gestión de Proyectos', 573001112233]);
  sheet.addRow(['Diego', 'Salas', `diego.${stamp}@example.mx`, 'Atlántida', 'b2b', 'PM-300', 'Gestión de Proyectos', null]);
  sheet.addRow(['Sofía', 'Lara', `sofia.${stamp}@example.ar`, 'AR', 'empresa', 'PM-300', 'Gestión de Proyectos', null]);
  const buffer = Buffer.from(await workbook.xlsx.writeBuffer());

  await signIn(director.email);
  await page.getByRole('link', { name: 'Importar' }).click();
  await page.setInputFiles('input[type=file]', { name: 'ferias.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer });
  await page.getByRole('button', { name: 'Ver vista previa' }).click();
  await page.getByText('2 filas válidas').waitFor();
  await expect(page.locator('tr.invalid').innerText()).resolves.toContain('País: debe ser uno de');
  await screenshot(page, '05-import-preview');

  await page.getByRole('button', { name: 'Inscribir 2 leads válidos' }).click();
  await page.getByRole('heading', { name: /Importación terminada/ }).waitFor();
  await expect(page.locator('[data-status="created"]').innerText()).resolves.toMatch(/^2 /);
  await expect(page.locator('[data-status="invalid"]').innerText()).resolves.toMatch(/^1 /);
  await screenshot(page, '06-import-result');

  const { rows } = await stack.ledger.pool.query<{ lead_id: string }>('SELECT lead_id FROM imported_rows');
  const states = await Promise.all(rows.map((r) => api.state(r.lead_id)));
  expect(states.map((s) => s.lead.email).sort()).toEqual([`paula.${stamp}@example.co`, `sofia.${stamp}@example.ar`]);
  expect(states.find((s) => s.lead.country === 'AR')?.lead.profile).toBe('b2b');
});

test('the director\'s dashboard: figures, charts and the CSV export', async () => {
  await signIn(director.email);
  await page.getByRole('link', { name: 'Panel' }).click();
  await page.locator('#kpis').waitFor();
  await expect(page.locator('[data-kpi="leadsCreated"] strong').innerText()).resolves.toMatch(/^\d+$/);
  await expect(page.locator('.chart svg').count()).resolves.toBeGreaterThanOrEqual(3);
  await screenshot(page, '09-panel');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Exportar CSV' }).click();
  expect((await download).suggestedFilename()).toMatch(/^kpis-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
});

test('the director sees the caught mail and the account list', async () => {
  const input = aLead({ firstName: 'Julián' });
  await api.post('/api/leads', input).expect(201);
  await stack.catcher.waitFor((m) => m.envelope.to.includes(input.email));
  await signIn(director.email);
  await page.getByRole('link', { name: 'Correo enviado' }).click();
  await page.locator('summary', { hasText: input.email }).click();
  await screenshot(page, '07-correo-enviado');
  await page.getByRole('link', { name: 'Cuentas' }).click();
  await expect(page.locator('main').innerText()).resolves.toContain('Ana Ejecutiva');
  await screenshot(page, '08-cuentas');
});
