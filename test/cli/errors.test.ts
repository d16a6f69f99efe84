import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneCleanLine, runCli } from '../helpers/cli.js';
import { freeTcpPort } from '../helpers/ports.js';

describe('CLI errors a user can make', () => {
  it('prints help with every command and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['sim', 'mission', 'fly', 'status', 'demo']) expect(r.stdout).toContain(command);
  });

  it('exits 2 on a malformed connection URL', async () => {
    const r = await runCli(['status', '--connect', 'udp://127.0.0.1:14550']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("connection URL 'udp://127.0.0.1:14550': unknown scheme 'udp'");
    expectOneCleanLine(r.stderr);
  });

  it('exits 2 on an unknown flag or a bad value', async () => {
    const unknown = await runCli(['fly', 'x.plan', '--connect', 'udpin://:14550', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");

    const bad = await runCli(['sim', '--home', '34.7,north,100']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("expected LAT,LON,ALT in degrees and metres, got '34.7,north,100'");
  });

  it('exits 1 when nobody listens on the TCP port', async () => {
    const port = await freeTcpPort();
    const r = await runCli(['status', '--connect', `tcpout://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot open tcpout://127.0.0.1:${port}: ECONNREFUSED`);
    expectOneCleanLine(r.stderr);
  });

  it('exits 1 naming a mission file that does not exist, before touching the link', async () => {
    const r = await runCli(['fly', 'missions/nope.plan', '--connect', 'udpout://127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('missions/nope.plan');
    expectOneCleanLine(r.stderr);
  });

  it('exits 1 naming the line of a malformed plan file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-cli-'));
    const file = path.join(dir, 'broken.plan');
    fs.writeFileSync(file, '{\n  "fileType": "Plan",\n  "mission": { "items": [ }\n}\n');
    const r = await runCli(['mission', 'upload', file, '--connect', 'udpout://127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(/line 3/);
    expectOneCleanLine(r.stderr);
  });

  it("shows a file's control characters as \\xNN, so an error cannot recolour the terminal or add a line", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-cli-'));
    const file = path.join(dir, 'escapes.geojson');
    const feature = {
      type: 'Feature',
      id: '\u001b[31mS-9\u001b[0m\nforged line',
      properties: { name: 'red', kind: 'site' },
      geometry: { type: 'Point', coordinates: [113.6, 34.7] },
    };
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [feature] }));
    const r = await runCli(['sites', 'check', file]);
    expect(r.code).toBe(1);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).toContain("(id '\\x1b[31mS-9\\x1b[0m\\x0aforged line')");

    // Commander's own errors quote the argument as given.
    const flag = await runCli(['alerts', 'list', '--since', '\u001b[31m2024']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).not.toContain('\u001b');
    expect(flag.stderr).toContain("got '\\x1b[31m2024'");
    fs.rmSync(dir, { recursive: true });
  });
});
