import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertService, openAlertStore } from '../../src/alerts/index.js';
import { sighting, smallSites } from '../alerts/sightings.js';
import { REPO_ROOT } from '../helpers/cli.js';

// chmod does not stop root, and tests run as root: the CLI runs here as `nobody` (setpriv), for whom a
// chmod 444 file and a chmod 555 folder are read-only. Without root or setpriv there is no one to
// drop to, and the test is skipped (test/alerts/store.test.ts still checks that reading writes nothing).
const NOBODY = 65534;
const canDrop =
  process.getuid?.() === 0 && spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;

function runAsNobody(args: string[]) {
  const r = spawnSync(
    'setpriv',
    [
      `--reuid=${NOBODY}`,
      `--regid=${NOBODY}`,
      '--clear-groups',
      process.execPath,
      path.join(REPO_ROOT, 'dist/cli/main.js'),
      ...args,
    ],
    { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, TMPDIR: '/tmp' } },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Lets others pass through each folder from `dir` up (not list or write it), so nobody reaches it. */
function letOthersTraverse(dir: string): void {
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
    fs.chmodSync(d, fs.statSync(d).mode | 0o001);
  }
}

let dir: string;
beforeAll(async () => {
  if (!canDrop) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-read-only-'));
  letOthersTraverse(dir);
  const store = openAlertStore(path.join(dir, 'seed.db'));
  await new AlertService({ store, sites: await smallSites() }).raise(sighting());
  store.close();
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A copy of the seeded store at `folder/patrol.db`, with the file's and the folder's modes. */
function storeIn(name: string, fileMode: number, folderMode: number): string {
  const folder = path.join(dir, name);
  fs.mkdirSync(folder);
  const file = path.join(folder, 'patrol.db');
  fs.copyFileSync(path.join(dir, 'seed.db'), file);
  fs.chmodSync(file, fileMode);
  fs.chmodSync(folder, folderMode);
  return file;
}

describe.skipIf(!canDrop)('alerts commands read a store they may not write', () => {
  it('a read-only file (chmod 444) in a folder anyone may write', () => {
    const db = storeIn('file', 0o444, 0o777);
    const before = fs.readFileSync(db);
    const list = runAsNobody(['alerts', 'list', '--db', db]);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^A-000001\s+S-1/m);
    expect(fs.readFileSync(db).equals(before)).toBe(true);
  });

  it('a store in a read-only folder (chmod 555): list, show, sites and export', () => {
    const db = storeIn('folder', 0o644, 0o555);
    const list = runAsNobody(['alerts', 'list', '--db', db, '--json']);
    expect(list.stderr).toBe('');
    expect(JSON.parse(list.stdout).map((a: { code: string }) => a.code)).toEqual(['A-000001']);
    expect(runAsNobody(['alerts', 'show', 'A-000001', '--db', db]).stdout).toMatch(/^alert\s+A-000001/);
    expect(runAsNobody(['alerts', 'sites', '--db', db]).code).toBe(0);
    const outDir = path.join(dir, 'out');
    fs.mkdirSync(outDir, { mode: 0o777 });
    fs.chmodSync(outDir, 0o777);
    const out = path.join(outDir, 'alerts.csv');
    const exported = runAsNobody(['alerts', 'export', '--db', db, '--format', 'csv', '--out', out]);
    expect(exported.stderr).toBe('');
    expect(fs.readFileSync(out, 'utf8')).toContain('A-000001');
    // Nothing was made beside the store, where no one may write.
    expect(fs.readdirSync(path.dirname(db))).toEqual(['patrol.db']);
  });
});
