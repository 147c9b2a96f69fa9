/**
 * The layer rules of eslint.config.mjs, proved through ESLint itself: wrong-way imports fail lint,
 * the allowed ones pass. The table cases come from the config's own LAYERS table; the named cases
 * below are the directions docs/architecture.md promises, so a table edit that breaks one shows here.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const helper = path.join(root, 'test/support/lint-text.mjs');

interface Layer { imports: string[]; types?: string[] }
interface Message { ruleId: string | null; message: string }
interface Case { name: string; from: string; filePath: string; code: string; allowed: boolean }

const node = (args: string[], input?: string) => execFileSync(process.execPath, [helper, ...args], { cwd: root, input, encoding: 'utf8' });

const { layers, localOnly } = JSON.parse(node(['--layers'])) as { layers: Record<string, Layer>; localOnly: string[] };

const valueImport = (spec: string) => `import { thing } from '${spec}';\nexport const used = thing;\n`;
const typeImport = (spec: string) => `import type { Thing } from '${spec}';\nexport type Used = Thing;\n`;
const inFolder = (from: string, filePath: string, name: string, code: string, allowed: boolean): Case => ({ name, from, filePath, code, allowed });

/** Every product folder importing every other folder, as a value, as a type, and from one level down. */
const tableCases: Case[] = Object.entries(layers).flatMap(([from, { imports, types = [] }]) =>
  [...Object.keys(layers), ...localOnly]
    .filter((to) => to !== from)
    .flatMap((to) => [
      inFolder(from, `${from}/x.ts`, `${from}/x.ts imports ${to}/`, valueImport(`../${to}/thing`), imports.includes(to)),
      inFolder(from, `${from}/sub/x.ts`, `${from}/sub/x.ts imports ${to}/deep/`, valueImport(`../../${to}/deep/thing`), imports.includes(to)),
      inFolder(from, `${from}/x.ts`, `${from}/x.ts imports a type from ${to}/`, typeImport(`../${to}`), imports.includes(to) || types.includes(to)),
    ]),
);

const named = (filePath: string, code: string, allowed: boolean): Case => ({ name: `${filePath}: ${code.split('\n')[0]}`, from: 'named', filePath, code, allowed });

const wrongWay: Case[] = [
  named('services/x.ts', valueImport('../api/web/pages/layout'), false),
  named('services/analytics/x.ts', valueImport('../../presentation/emails/templates'), false),
  named('services/x.ts', valueImport('../activities'), false),
  named('domain/x.ts', valueImport('../integrations/ledger/ledger'), false),
  named('domain/x.ts', valueImport('node:fs'), false),
  named('domain/x.ts', 'export const now = Date.now();\n', false),
  named('integrations/x.ts', valueImport('../services/lead-service'), false),
  named('api/x.ts', valueImport('../dev/zoho-sandbox/app'), false),
  named('api/x.ts', valueImport('../activities'), false),
  named('api/x.ts', valueImport('../workflows'), false),
  named('workflows/x.ts', valueImport('../activities'), false),
  named('workflows/x.ts', valueImport('../lib/logger'), false),
  named('presentation/x.ts', valueImport('../api/app'), false),
  named('presentation/emails/x.ts', valueImport('../../integrations/mailer'), false),
  named('activities/x.ts', valueImport('../presentation/emails/templates'), false),
  named('activities/x.ts', valueImport('../services/analytics/director'), false),
  named('config/x.ts', valueImport('../services/analytics/kpis'), false),
  named('config/x.ts', valueImport('../integrations/zoho/status-mapping'), false),
  named('lib/x.ts', valueImport('../domain/lead'), false),
  named('workers/x.ts', valueImport('../api/app'), false),
  named('workers/x.ts', valueImport('../test/support/stack'), false),
  named('services/x.ts', 'export const port = process.env.PORT;\n', false),
  named('api/x.ts', 'export const port = process.env.PORT;\n', false),
];

const rightWay: Case[] = [
  named('api/x.ts', valueImport('../services/lead-service'), true),
  named('api/web/x.ts', valueImport('../../presentation/charts'), true),
  named('api/x.ts', typeImport('../workflows'), true),
  named('workflows/x.ts', typeImport('../activities'), true),
  named('workflows/x.ts', `import { type Activities } from '../activities';\nexport type Used = Activities;\n`, true),
  named('workflows/x.ts', valueImport('../domain/lead'), true),
  named('workers/x.ts', valueImport('../activities'), true),
  named('workers/x.ts', valueImport('../presentation/emails/templates'), true),
  named('activities/x.ts', valueImport('../integrations/mailer'), true),
  named('presentation/emails/x.ts', valueImport('../../services/analytics/kpis'), true),
  named('config/x.ts', valueImport('../domain/kpi-settings'), true),
  named('config/x.ts', 'export const port = process.env.PORT;\n', true),
  named('dev/x.ts', valueImport('../api/app'), true),
  named('dev/x.ts', 'export const port = process.env.PORT;\n', true),
  named('test/x.ts', valueImport('../workers/lead-worker'), true),
  named('bench/x.ts', valueImport('../services/analytics/kpis'), true),
];

const LAYER_RULES = ['no-restricted-imports', 'no-restricted-properties', 'no-restricted-syntax', 'no-restricted-globals'];

/** "passes", "fails" (by a layer or sandbox rule), or what else lint said: a case must not trip anything else. */
function verdict(messages: Message[]): string {
  if (messages.length === 0) return 'passes';
  const other = messages.filter((m) => !LAYER_RULES.includes(m.ruleId ?? ''));
  return other.length ? `unexpected: ${other.map((m) => `${m.ruleId ?? 'fatal'} ${m.message}`).join('; ')}` : 'fails';
}

const cases = [...tableCases, ...wrongWay, ...rightWay];
let results: Message[][] = [];

beforeAll(() => {
  results = JSON.parse(node([], JSON.stringify(cases.map(({ filePath, code }) => ({ filePath, code }))))) as Message[][];
}, 60_000);

const outcomes = (from: string) => {
  const mine = cases.map((c, i) => ({ c, i })).filter(({ c }) => c.from === from);
  return {
    got: mine.map(({ c, i }) => `${c.name}: ${verdict(results[i]!)}`),
    want: mine.map(({ c }) => `${c.name}: ${c.allowed ? 'passes' : 'fails'}`),
  };
};

test('the table names every product folder once and never allows a local-only one', () => {
  expect(Object.keys(layers).sort()).toEqual(['activities', 'api', 'config', 'domain', 'integrations', 'lib', 'presentation', 'services', 'workers', 'workflows']);
  expect(localOnly.sort()).toEqual(['bench', 'dev', 'test']);
  for (const { imports, types = [] } of Object.values(layers)) {
    for (const to of [...imports, ...types]) expect(Object.keys(layers)).toContain(to);
  }
});

test.each(Object.keys(layers))('%s/ imports what the table allows and nothing else', (from) => {
  const { got, want } = outcomes(from);
  expect(got).toEqual(want);
});

test('wrong-way imports, the environment outside config/ and Node or clock use in the sandbox fail lint', () => {
  const { got, want } = outcomes('named');
  expect(got.slice(0, wrongWay.length)).toEqual(want.slice(0, wrongWay.length));
});

test('allowed imports pass, and dev/, test/ and bench/ may import anything', () => {
  const { got, want } = outcomes('named');
  expect(got.slice(wrongWay.length)).toEqual(want.slice(wrongWay.length));
});

test('a failure names the rule to follow', () => {
  const i = cases.findIndex((c) => c.filePath === 'services/x.ts' && c.code.includes('../api/web/pages/layout'));
  expect(results[i]!.map((m) => m.message)).toEqual([expect.stringMatching(/services\/ imports only integrations\/, domain\/, lib\/, config\/; see eslint\.config\.mjs/)]);
});
