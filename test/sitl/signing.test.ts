import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type Sitl, sitlMissing, startSitl } from '../helpers/sitl.js';

// MAVLink 2 signing with the real autopilot, ArduPilot Copter SITL (../shared/ardupilot): the key goes
// over SERIAL0 (channel 0, which ArduPilot trusts like USB and keeps accepting unsigned packets on),
// then SERIAL1, a port like a telemetry radio's, must answer a signed ground station and ignore an
// unsigned one. No flight: some 15 s in all.

const HOME = { latDeg: 34.7245, lonDeg: 113.6302, altAmslM: 110 };
const SPEEDUP = 5;
const CLI_TIMEOUT_MS = 30_000;

const missing = sitlMissing();
if (missing) console.log(`test/sitl skipped: ${missing}`);

describe.skipIf(missing !== null)('MAVLink 2 signing on ArduPilot SITL', () => {
  let sitl: Sitl | undefined;
  afterAll(async () => {
    await sitl?.stop();
  });

  it(
    'takes the key with signing setup, then answers a signed mission download and ignores an unsigned one',
    async () => {
      sitl = await startSitl({ home: HOME, speedup: SPEEDUP, secondPort: true });
      const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-sitl-key-'));
      const key = path.join(keyDir, 'drone.key');
      fs.writeFileSync(key, '5a17c0de00112233445566778899aabbccddeeff00112233445566778899aabb\n', {
        mode: 0o600,
      });
      const radio = sitl.secondUrl as string;
      const log = () => `SITL:\n${sitl?.log().slice(-2000)}`;

      const setup = await runCli(
        ['signing', 'setup', '--connect', sitl.url, '--signing-key', key],
        CLI_TIMEOUT_MS,
      );
      expect(setup.code, `${setup.stdout}${setup.stderr}${log()}`).toBe(0);
      expect(setup.stdout).toMatch(/vehicle 1\/1 on .* signs with the key of .* and answers signed requests/);

      const signed = await runCli(
        ['mission', 'download', '--connect', radio, '--signing-key', key],
        CLI_TIMEOUT_MS,
      );
      expect(signed.code, `${signed.stdout}${signed.stderr}${log()}`).toBe(0);
      expect(signed.stderr).toBe('');
      expect(signed.stdout).toMatch(/the vehicle holds no items|NAV_WAYPOINT/);

      // Unsigned: the link hears the vehicle (it cannot check signatures without the key), but the
      // vehicle drops every request.
      const unsigned = await runCli(['mission', 'download', '--connect', radio], CLI_TIMEOUT_MS);
      expect(unsigned.code, `${unsigned.stdout}${unsigned.stderr}${log()}`).toBe(1);
      expect(unsigned.stderr.trim()).toBe('dustpatrol: mission download: no MISSION_COUNT within 3 s');
      fs.rmSync(keyDir, { recursive: true, force: true });
    },
    4 * CLI_TIMEOUT_MS,
  );
});
