import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertService, openAlertStore } from '../../src/alerts/index.js';
import { sighting, smallSites } from '../alerts/sightings.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { writeHoverTlog } from '../helpers/hover-tlog.js';
import { makeClip } from '../video/ffmpeg-helpers.js';

// A real full disk: a 256 KiB tmpfs, mounted in a private mount namespace (unshare -rm, which needs no
// privilege where user namespaces are allowed), filled up with a filler file. Where no namespace can
// be made, the test is skipped.
const DISK_KIB = 256;
/** Left free beside the store: SQLite's shared-memory file (32 KiB) fits, a page of its log does not. */
const STORE_ROOM_KIB = 36;
const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');
const SITES = path.join(REPO_ROOT, 'fixtures/sites/small-sites.geojson');
const START_US = Date.UTC(2026, 4, 3, 9, 30) * 1000;

let dir: string;
let mountPoint: string;
let seed: string;
let tlog: string;
let video: string;

const canMount = (() => {
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-mount-probe-'));
  const r = spawnSync('unshare', ['-rm', 'mount', '-t', 'tmpfs', '-o', 'size=64k', 'none', probe]);
  fs.rmSync(probe, { recursive: true });
  return r.status === 0;
})();

/**
 * Runs `script` in a new mount namespace where `$DISK` is a tmpfs holding a copy of the seeded store
 * (`$DISK/patrol.db`) with `roomKib` left free; `$CLI` runs dustpatrol, `$SEED` is the store's original.
 */
function onFullDisk(script: string, roomKib: number) {
  const fillKib = DISK_KIB - Math.ceil(fs.statSync(seed).size / 1024) - roomKib;
  const setup =
    `mount -t tmpfs -o size=${DISK_KIB}k none "$DISK" && cp "$SEED" "$DISK/patrol.db" && ` +
    `head -c ${fillKib * 1024} /dev/zero > "$DISK/filler" && `;
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', setup + script], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, DISK: mountPoint, SEED: seed, CLI: `${process.execPath} ${CLI}` },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  if (!canMount) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-full-disk-'));
  mountPoint = path.join(dir, 'disk');
  fs.mkdirSync(mountPoint);
  seed = path.join(dir, 'seed.db');
  const store = openAlertStore(seed);
  await new AlertService({ store, sites: await smallSites() }).raise(sighting());
  store.close();
  tlog = path.join(dir, 'hover.tlog');
  writeHoverTlog(tlog, {
    startUs: START_US,
    seconds: 4,
    latDeg: 34.7245,
    lonDeg: 113.6302,
    groundAmslM: 110,
    altRelM: 60,
  });
  video = path.join(dir, 'hover.mkv');
  await makeClip(video, 2, '160x90', 10, ['creation_time=2026-05-03T09:30:00.000000Z']);
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!canMount)('a full disk is one line naming the file, and loses nothing stored', () => {
  // The run's first write (the site file's sites) finds the disk full; every write to the store goes
  // through the same path (AlertStore.writing), the alerts a replay raises included.
  it('replay into a store on a full disk', () => {
    const r = onFullDisk(
      `$CLI replay --tlog ${tlog} --video ${video} --sites ${SITES} --db "$DISK/patrol.db"; ` +
        `echo "exit $?" >&2; $CLI alerts list --db "$DISK/patrol.db"`,
      STORE_ROOM_KIB,
    );
    const [error, exit] = r.stderr.split('\n').filter((l) => !l.startsWith('replay '));
    expect(error).toBe(
      `dustpatrol: ${mountPoint}/patrol.db: cannot write the alert database: ` +
        'no space left on the device (or the database is full) (SQLITE_FULL)',
    );
    expect(exit).toBe('exit 1');
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    // The alert stored before is still there, read from the same full disk.
    expect(r.stdout).toMatch(/^A-000001\s+S-1/m);
  });

  it('replay creating a store on a full disk leaves no file behind', () => {
    const r = onFullDisk(
      `$CLI replay --tlog ${tlog} --video ${video} --sites ${SITES} --db "$DISK/new.db"; ` +
        'echo "exit $?" >&2; ls -a "$DISK"',
      0,
    );
    const [error, exit] = r.stderr.trim().split('\n');
    expect(error).toMatch(
      new RegExp(`^dustpatrol: ${mountPoint}/new\\.db: cannot open the alert database: .*SQLITE_FULL`),
    );
    expect(exit).toBe('exit 1');
    expect(r.stdout.split('\n').filter((f) => f.startsWith('new.db'))).toEqual([]);
  });

  it('alerts export onto a full disk', () => {
    const r = onFullDisk(
      `$CLI alerts export --db "$SEED" --format csv --out "$DISK/alerts.csv"; ` +
        'echo "exit $?" >&2; ls -a "$DISK"',
      0,
    );
    const [error, exit] = r.stderr.trim().split('\n');
    expect(error).toBe(
      `dustpatrol: ${mountPoint}/alerts.csv: cannot write: no space left on the device (ENOSPC)`,
    );
    expect(exit).toBe('exit 1');
    expect(r.stdout).not.toMatch(/^wrote/m);
    // No temporary file is left behind.
    expect(r.stdout.split('\n').filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
