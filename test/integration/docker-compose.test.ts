/**
 * The compose deployment, checked without a Docker engine: `docker-compose config` validates and
 * interpolates docker-compose.yml, and the Dockerfile's entry points are checked against what
 * `npm run build` (tsc -p tsconfig.build.json) emits.
 *
 * Needs `docker-compose` on PATH (`npm run setup` installs Debian's v1 package); without it the
 * tests fail rather than skip, so a CI image that lost it does not pass silently.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseConfig } from '../../config';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';

const root = path.resolve(__dirname, '../..');
const composeFile = path.join(root, 'docker-compose.yml');
const dockerfile = path.join(root, 'Dockerfile');

/** Obviously fake values for every secret the compose file requires. */
const requiredSecrets = {
  API_KEY: 'dummy-api-key-not-a-secret-00000000001',
  SMTP_URL: 'smtp://dummy-user:dummy-pass@smtp.example.test:587',
  ZOHO_CLIENT_ID: 'dummy-zoho-client-id',
  ZOHO_CLIENT_SECRET: 'dummy-zoho-client-secret',
  ZOHO_REFRESH_TOKEN: 'dummy-zoho-refresh-token',
  WEB_FORM_SECRET: 'dummy-web-form-secret-000000000000001',
  ZOHO_WEBHOOK_SECRET: 'dummy-zoho-webhook-secret-0000000001',
  INBOUND_EMAIL_WEBHOOK_SECRET: 'dummy-inbound-email-secret-000000001',
  UNSUBSCRIBE_SECRET: 'dummy-unsubscribe-secret-00000000001',
  SESSION_SECRET: 'dummy-session-secret-000000000000001',
  PUBLIC_URL: 'https://seguimiento.example.test',
} as const;
/** A throwaway DKIM key, as an operator puts it in .env: one line with \n escapes (production refuses to start unsigned). */
const dkim = {
  DKIM_SELECTOR: 's2026',
  DKIM_PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trim().replaceAll('\n', '\\n'),
};
type SecretName = keyof typeof requiredSecrets;

const appServices = ['temporal-setup', 'worker', 'api'] as const;

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: (string | number | { published?: string | number; target?: string | number })[];
  healthcheck?: { test?: string | string[] };
  restart?: string;
  volumes?: (string | { source?: string; target?: string })[];
}
interface ComposeModel {
  services: Record<string, Service>;
}

let workDir: string;
let emptyEnvFile: string;

/**
 * Runs docker-compose with only the given variables: nothing leaks in from the developer's shell
 * (COMPOSE_*, real secrets) or from a .env next to the compose file (--env-file points elsewhere).
 */
function compose(args: string[], vars: Record<string, string>) {
  const result = spawnSync('docker-compose', ['-f', composeFile, '--env-file', emptyEnvFile, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: workDir, ...vars },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? 'docker-compose is not on PATH. Install it (Debian: apt-get install -y docker-compose, or `npm run setup`); these tests do not skip without it.'
        : `docker-compose could not be run: ${result.error.message}`,
    );
  }
  return result;
}

function loadConfig(vars: Record<string, string>): ComposeModel {
  const result = compose(['config'], vars);
  if (result.status !== 0) {
    throw new Error(`docker-compose config failed (exit ${result.status}):\n${result.stderr}`);
  }
  return parseYaml(result.stdout) as ComposeModel;
}

function service(model: ComposeModel, name: string): Service {
  const found = model.services[name];
  if (!found) throw new Error(`service "${name}" is missing; services: ${Object.keys(model.services).join(', ')}`);
  return found;
}

function envOf(svc: Service): Record<string, string> {
  const env = svc.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => [entry.split('=')[0], entry.split('=').slice(1).join('=')]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v == null ? '' : String(v)]));
}

function dependsOn(svc: Service): Record<string, string> {
  const deps = svc.depends_on ?? [];
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.condition ?? 'service_started']));
}

/** "published:target" pairs, whatever form (short string or long mapping) the compose version prints. */
function publishedPorts(svc: Service): string[] {
  return (svc.ports ?? []).map((port) => {
    if (typeof port === 'object') return `${port.published}:${port.target}`;
    const [mapping] = String(port).split('/');
    const parts = (mapping ?? '').split(':');
    return parts.slice(-2).join(':');
  });
}

function commandOf(svc: Service): string[] {
  const cmd = svc.command ?? [];
  return Array.isArray(cmd) ? cmd : cmd.split(/\s+/).filter(Boolean);
}

beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'seguimiento-compose-'));
  emptyEnvFile = path.join(workDir, 'empty.env');
  writeFileSync(emptyEnvFile, '');
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('docker-compose.yml, as docker-compose config resolves it', () => {
  let model: ComposeModel;

  beforeAll(() => {
    const version = compose(['--version'], {});
    if (version.status !== 0) throw new Error(`docker-compose --version failed:\n${version.stderr}`);
    model = loadConfig({ ...requiredSecrets, ...dkim });
  });

  it('defines every service of the deployment', () => {
    expect(Object.keys(model.services).sort()).toEqual(
      expect.arrayContaining(['api', 'postgresql', 'temporal', 'temporal-setup', 'temporal-ui', 'worker']),
    );
  });

  it.each(appServices)('%s is built from the Dockerfile at the repository root', (name) => {
    const svc = service(model, name);
    const build = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
    expect(build).toBeDefined();
    expect(path.resolve(root, build?.context ?? '')).toBe(root);
    expect(build?.dockerfile ?? 'Dockerfile').toBe('Dockerfile');
  });

  it('all app services share one image name, so one build serves all three', () => {
    const images = new Set(appServices.map((name) => service(model, name).image));
    expect(images.size).toBe(1);
  });

  it('runs the worker and the setup step from the same image with their own entry points', () => {
    expect(commandOf(service(model, 'worker'))).toEqual(['node', 'dist/workers/main.js']);
    expect(commandOf(service(model, 'temporal-setup'))).toEqual(['node', 'dist/integrations/temporal/setup-namespace.js']);
    expect(commandOf(service(model, 'api'))).toEqual(['node', 'dist/api/main.js']);
  });

  it('PostgreSQL is postgres:16 with a named volume, the ledger init script and a healthcheck', () => {
    const pg = service(model, 'postgresql');
    expect(pg.image).toBe('postgres:16');
    const volumes = (pg.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
    expect(volumes.some((v) => v.startsWith('postgresql-data:/var/lib/postgresql/data'))).toBe(true);
    const initDir = volumes.find((v) => v.includes(':/docker-entrypoint-initdb.d'));
    expect(initDir).toBeDefined();
    const hostDir = path.resolve(root, (initDir ?? '').split(':')[0] ?? '');
    expect(existsSync(path.join(hostDir, '10-seguimiento-ledger.sh'))).toBe(true);
    expect(pg.healthcheck?.test).toEqual(expect.arrayContaining(['pg_isready']));
  });

  it('Temporal (auto-setup) persists to the compose PostgreSQL and waits for it to be healthy', () => {
    const temporal = service(model, 'temporal');
    expect(temporal.image).toMatch(/^temporalio\/auto-setup:/);
    const env = envOf(temporal);
    expect(env.DB).toBe('postgres12');
    expect(env.POSTGRES_SEEDS).toBe('postgresql');
    expect(env.DB_PORT).toBe('5432');
    expect(env.POSTGRES_USER).toBe(envOf(service(model, 'postgresql')).POSTGRES_USER);
    expect(env.POSTGRES_PWD).toBe(envOf(service(model, 'postgresql')).POSTGRES_PASSWORD);
    expect(dependsOn(temporal)).toEqual({ postgresql: 'service_healthy' });
    expect(env.DEFAULT_NAMESPACE).toBe(envOf(service(model, 'api')).TEMPORAL_NAMESPACE);
  });

  it('the dynamic config file Temporal is told to load exists in deploy/', () => {
    const temporal = service(model, 'temporal');
    const file = envOf(temporal).DYNAMIC_CONFIG_FILE_PATH ?? '';
    const mount = (temporal.volumes ?? [])
      .map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`))
      .find((v) => v.includes(':/etc/temporal/config/dynamicconfig'));
    expect(mount).toBeDefined();
    const hostDir = (mount ?? '').split(':')[0] ?? '';
    expect(file.startsWith('config/dynamicconfig/')).toBe(true);
    expect(existsSync(path.join(path.resolve(root, hostDir), path.basename(file)))).toBe(true);
  });

  it('the search-attribute setup step is a one-shot that runs once Temporal is healthy', () => {
    const setup = service(model, 'temporal-setup');
    expect(dependsOn(setup)).toMatchObject({ temporal: 'service_healthy' });
    // service_healthy on a service without a healthcheck would make `up` refuse to start.
    expect([service(model, 'temporal').healthcheck?.test ?? []].flat().join(' ')).toMatch(/namespace describe/);
    expect(setup.restart).toBe('no');
    expect(envOf(setup).TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it.each(['worker', 'api'])('%s starts only after the setup step completed', (name) => {
    expect(dependsOn(service(model, name))).toMatchObject({
      'temporal-setup': 'service_completed_successfully',
      postgresql: 'service_healthy',
    });
  });

  it.each(appServices)('%s talks to the compose Temporal and the compose PostgreSQL', (name) => {
    const env = envOf(service(model, name));
    expect(env.NODE_ENV).toBe('production');
    expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/seguimiento:[^@]+@postgresql:5432\/seguimiento$/);
  });

  it.each(appServices)('%s gets the secrets from the environment, not from the file', (name) => {
    expect(envOf(service(model, name))).toMatchObject(requiredSecrets);
  });

  it('the API is published on 3000, restarts unless stopped and is health-checked on GET /health/ready', () => {
    const api = service(model, 'api');
    expect(publishedPorts(api)).toContain('3000:3000');
    expect(envOf(api).PORT).toBe('3000');
    expect(api.restart).toBe('unless-stopped');
    expect(service(model, 'worker').restart).toBe('unless-stopped');
    const probe = [api.healthcheck?.test ?? []].flat().join(' ');
    expect(probe).toContain('http://127.0.0.1:3000/health/ready');
    // The worker's healthcheck asks Temporal whether this container's worker polls (workers/healthcheck.ts).
    const workerProbe = [service(model, 'worker').healthcheck?.test ?? []].flat();
    expect(workerProbe).toEqual(['CMD', 'node', 'dist/workers/healthcheck.js']);
    expect(existsSync(path.join(root, 'workers/healthcheck.ts'))).toBe(true);
  });

  it('the Temporal Web UI is published on 8233 and points at the compose Temporal', () => {
    const ui = service(model, 'temporal-ui');
    expect(ui.image).toMatch(/^temporalio\/ui:/);
    expect(publishedPorts(ui)).toContain('8233:8080');
    expect(envOf(ui).TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  const secretNames = Object.keys(requiredSecrets) as SecretName[];

  it.each(secretNames)('config refuses to run without %s and names it', (missing) => {
    const vars: Record<string, string> = { ...requiredSecrets };
    delete vars[missing];
    const result = compose(['config'], vars);
    expect(result.status).not.toBe(0);
    // v1 dumps the whole uninterpolated environment block before the message, so only the final
    // "...: <VAR> must be set (...)" tells which variable was missing (v2 ends the same way).
    const lastLine = result.stderr.trim().split('\n').pop() ?? '';
    expect(lastLine.match(/: (\w+) must be set \([^)]*\)\s*$/)?.[1]).toBe(missing);
  });

  it('the app accepts the environment it resolves to, and refuses it once two secrets are the same', () => {
    const env = envOf(service(model, 'api'));
    expect(() => parseConfig(env)).not.toThrow();
    expect(() => parseConfig({ ...env, SESSION_SECRET: env.WEB_FORM_SECRET! })).toThrow(/SESSION_SECRET: must differ from WEB_FORM_SECRET/);
  });

  it('the DKIM key reaches the app intact, and without one the app refuses to start unless DKIM_DISABLED=true', () => {
    const env = envOf(service(model, 'worker'));
    expect(env.DKIM_PRIVATE_KEY).toBe(dkim.DKIM_PRIVATE_KEY);
    const unsigned = envOf(service(loadConfig({ ...requiredSecrets }), 'worker'));
    expect(() => parseConfig(unsigned)).toThrow(/DKIM_SELECTOR, DKIM_PRIVATE_KEY: are required in production/);
    const relaySigns = envOf(service(loadConfig({ ...requiredSecrets, DKIM_DISABLED: 'true' }), 'worker'));
    expect(() => parseConfig(relaySigns)).not.toThrow();
  });

  it('an empty required secret is refused as well', () => {
    const result = compose(['config'], { ...requiredSecrets, API_KEY: '' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/: API_KEY must be set/);
  });
});

describe('docker-compose.yml as written', () => {
  const text = readFileSync(composeFile, 'utf8');

  it.each(Object.keys(requiredSecrets))('%s is only ever a required ${…:?…} interpolation', (name) => {
    const mentions = [...text.matchAll(new RegExp(`\\$\\{${name}(?![A-Z0-9_])([^}]*)\\}`, 'g'))].map((m) => m[1]);
    expect(mentions.length).toBeGreaterThan(0);
    for (const rest of mentions) expect(rest).toMatch(/^:\?/);
  });

  it('every variable it reads is listed in deploy/compose.env.example', () => {
    const example = readFileSync(path.join(root, 'deploy/compose.env.example'), 'utf8');
    const listed = new Set([...example.matchAll(/^#?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const used = new Set([...text.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]));
    expect([...used].filter((name) => !listed.has(name))).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(dockerfile, 'utf8');
  // Continuation lines joined, comments dropped: one instruction per entry.
  const instructions = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages = instructions
    .map((line) => line.match(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i))
    .filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => ({ image: m[1], name: m[2] }));
  const finalStageStart = instructions.reduce((last, line, i) => (/^FROM\s/i.test(line) ? i : last), -1);
  const finalStage = instructions.slice(finalStageStart);

  it('is multi-stage on node:20-bookworm-slim with npm 11', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(stages[0]?.image).toBe('node:20-bookworm-slim');
    const stageNames = new Set(stages.map((s) => s.name));
    for (const s of stages.slice(1)) expect(s.image === 'node:20-bookworm-slim' || stageNames.has(s.image)).toBe(true);
    expect(text).toMatch(/npm (i|install) (-g|--global) npm@11\b/);
  });

  it('builds with npm ci + npm run build and ships production dependencies only', () => {
    const buildStage = stages.find((s) => s.name === 'build');
    expect(buildStage).toBeDefined();
    expect(instructions).toContain('RUN npm ci');
    expect(instructions).toContain('RUN npm run build');
    expect(instructions.some((line) => /^RUN npm ci --omit=dev\b/.test(line))).toBe(true);
    expect(finalStage).toContain('COPY --from=build /app/dist ./dist');
    // node_modules in the final image must come from the --omit=dev install, never the build stage.
    expect(finalStage.some((line) => /^COPY --from=build\s+\S*node_modules/.test(line))).toBe(false);
  });

  it('runs as the unprivileged node user and starts the API by default', () => {
    expect(finalStage.filter((line) => /^USER\s/.test(line)).pop()).toBe('USER node');
    const cmd = finalStage.filter((line) => /^CMD\s/.test(line)).pop() ?? '';
    expect(JSON.parse(cmd.replace(/^CMD\s+/, ''))).toEqual(['node', 'dist/api/main.js']);
  });

  it('.dockerignore keeps node_modules, dist and .env out of the build context', () => {
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split(/\r?\n/).map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.env']));
  });
});

describe('entry points of the image match what npm run build emits', () => {
  // tsc -p tsconfig.build.json: rootDir "." and outDir "dist", so dist/<dir>/<name>.js comes from
  // <dir>/<name>.ts, provided <dir> is in the build's include list.
  const base = JSON.parse(readFileSync(path.join(root, 'tsconfig.json'), 'utf8')) as {
    compilerOptions: { outDir?: string; rootDir?: string };
  };
  const build = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as {
    extends?: string;
    include?: string[];
    compilerOptions?: { outDir?: string; rootDir?: string };
  };
  const outDir = build.compilerOptions?.outDir ?? base.compilerOptions.outDir;
  const rootDir = build.compilerOptions?.rootDir ?? base.compilerOptions.rootDir;

  const dockerCmd = readFileSync(dockerfile, 'utf8')
    .split(/\r?\n/)
    .filter((line) => /^CMD\s/.test(line.trim()))
    .pop();
  const rawCompose = parseYaml(readFileSync(composeFile, 'utf8'), { merge: true }) as ComposeModel;
  const commands: { where: string; cmd: string[] }[] = [
    { where: 'Dockerfile CMD', cmd: JSON.parse((dockerCmd ?? '[]').replace(/^\s*CMD\s+/, '')) as string[] },
    ...Object.entries(rawCompose.services)
      .filter(([, svc]) => svc.command !== undefined && svc.build !== undefined)
      .map(([name, svc]) => ({ where: `compose ${name}`, cmd: commandOf(svc) })),
  ];
  const entryPoints = commands.map(({ where, cmd }) => ({
    where,
    script: cmd.find((arg) => arg.endsWith('.js')) ?? '(none)',
  }));

  it('tsconfig.build.json emits into dist/ mirroring the repository layout', () => {
    expect(build.extends).toBe('./tsconfig.json');
    expect(path.normalize(outDir ?? '')).toBe('dist');
    expect(path.normalize(rootDir ?? '')).toBe('.');
  });

  it('covers the API, the worker and the namespace setup', () => {
    expect(entryPoints.map((e) => e.script).sort()).toEqual(
      expect.arrayContaining(['dist/api/main.js', 'dist/integrations/temporal/setup-namespace.js', 'dist/workers/main.js']),
    );
  });

  it.each(entryPoints)('$where runs $script, which the build produces from an existing source', ({ script }) => {
    expect(script).toMatch(/^dist\/.+\.js$/);
    const source = script.replace(/^dist\//, '').replace(/\.js$/, '.ts');
    const topDir = source.split('/')[0];
    expect({ source, includedInBuild: build.include?.includes(topDir ?? '') ?? false }).toEqual({
      source,
      includedInBuild: true,
    });
    // Fails until the source lands; the object shows which file is missing.
    expect({ source, exists: existsSync(path.join(root, source)) }).toEqual({ source, exists: true });
  });
});
