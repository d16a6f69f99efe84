import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { readTlog } from '../../src/mavlink/index.js';
import { REPO_ROOT, runCli, startCli } from '../helpers/cli.js';
import { freeUdpPort } from '../helpers/ports.js';

const children: ReturnType<typeof startCli>[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

it('flies the demo plan against `dustpatrol sim` and leaves a tlog pymavlink-style tools can read', async () => {
  const port = await freeUdpPort();
  const sim = startCli(['sim', '--connect', `udpin://127.0.0.1:${port}`, '--speedup', '20']);
  children.push(sim);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-fly-'));
  const tlog = path.join(dir, 'flight.tlog');

  const r = await runCli(
    ['fly', 'missions/demo.plan', '--connect', `udpout://127.0.0.1:${port}`, '--tlog', tlog],
    120_000,
  );

  expect(r.stderr).not.toContain('dustpatrol:');
  expect(r.code).toBe(0);
  // Every waypoint in order, then the landing.
  const reached = [...r.stdout.matchAll(/reached waypoint (\d+)\/(\d+)/g)].map((m) => Number(m[1]));
  expect(reached).toEqual([1, 2, 3, 4, 5, 6]);
  expect(r.stdout).toMatch(/landed and disarmed: 6 waypoints reached/);
  expect(r.stdout).toMatch(/GPS\s+yes/);

  // The tlog holds the whole conversation; an independent parser of the layout agrees with ours.
  const independent = JSON.parse(
    execFileSync('/usr/bin/python3', [path.join(REPO_ROOT, 'test/mavlink/tlog_layout.py'), tlog], {
      encoding: 'utf8',
    }),
  );
  let ours = 0;
  for await (const _ of readTlog(tlog)) ours++;
  expect(ours).toBeGreaterThan(100);
  expect(independent.records).toBe(ours);
  expect(independent.bad).toBe(0);
});
