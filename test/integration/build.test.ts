import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/**
 * What `npm run build` produces is what the production image runs: the product alone. The local
 * stand-ins (Zoho sandbox, SMTP catcher, PostgreSQL runner, npm start, the demo seed) stay in dev/.
 */
const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
let outDir: string;
let files: string[];

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), 'seguimiento-build-'));
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root, stdio: 'pipe' });
  files = walk(outDir).map((f) => relative(outDir, f));
}, 120_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

test('the build holds the product and its entry points', () => {
  expect(files).toEqual(expect.arrayContaining(['api/main.js', 'workers/main.js', 'integrations/temporal/setup-namespace.js', 'workflows/index.js']));
  const topFolders = [...new Set(files.map((f) => f.split('/')[0]))].sort();
  expect(topFolders).toEqual(['activities', 'api', 'config', 'domain', 'integrations', 'lib', 'presentation', 'services', 'workers', 'workflows']);
});

test('no local stand-in, test or benchmark is in the build', () => {
  const standIns = files.filter((f) => /^(dev|test|bench)\//.test(f) || /sandbox|catcher|embedded-postgres|demo-seed/.test(f));
  expect(standIns).toEqual([]);
});

test('the built code requires only production dependencies and Node built-ins', () => {
  const allowed = new Set([...Object.keys(pkg.dependencies), ...builtinModules]);
  const outside: string[] = [];
  for (const file of files.filter((f) => f.endsWith('.js'))) {
    const source = readFileSync(join(outDir, file), 'utf8');
    for (const [, spec] of source.matchAll(/require\("([^".][^"]*)"\)/g)) {
      const name = spec!.replace(/^node:/, '').split('/').slice(0, spec!.startsWith('@') ? 2 : 1).join('/');
      if (!allowed.has(name)) outside.push(`${file}: ${spec}`);
    }
  }
  expect(outside).toEqual([]);
});

test('the stand-ins’ own packages are development dependencies only', () => {
  for (const name of ['embedded-postgres', 'smtp-server', 'mailparser', 'tsx']) expect(pkg.dependencies[name]).toBeUndefined();
});
