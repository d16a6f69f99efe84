import { common, minimal } from 'node-mavlink';
import { afterEach, describe, expect, it } from 'vitest';
import { downloadMission, MavLinkConnection, sendCommand, setupSigning } from '../../src/mavlink/index.js';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { freeTcpPort } from '../helpers/ports.js';
import {
  arm,
  HOME,
  MODE,
  nextMessage,
  type SimAndGcs,
  setMode,
  startSimulatedSimAndGcs,
  waitForBoot,
  waitForEkfPosition,
} from '../helpers/sim-gcs.js';

// The simulator signs like ArduPilot: with a key it signs what it sends and drops what is not signed
// with it; SETUP_SIGNING gives it a key, refused while armed.

const KEY = Buffer.alloc(32, 0x3c);
const OTHER_KEY = Buffer.alloc(32, 0x4d);
const TARGET = { sysid: 1, compid: 1 };
const EKF_TIMEOUT_MS = 60_000;
/** ArduPilot Copter's ALT_HOLD: a mode change needing no position. */
const ALT_HOLD = 2;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function link(url: string, options: Parameters<typeof MavLinkConnection.open>[1] = {}) {
  const l = await MavLinkConnection.open(url, options);
  closers.push(() => l.close());
  return l;
}

/** The simulator on tcpin, like SITL's port: every client hears it, and it hears every client. */
async function simulatorWithKey(): Promise<{ sim: Simulator; url: string }> {
  const port = await freeTcpPort();
  const sim = await startSimulator({
    connect: `tcpin://127.0.0.1:${port}`,
    home: HOME,
    speedup: 5,
    signingKey: KEY,
  });
  closers.push(() => sim.close());
  return { sim, url: `tcpout://127.0.0.1:${port}` };
}

function setModeMessage(customMode: number): common.CommandLong {
  const cmd = new common.CommandLong();
  cmd.targetSystem = 1;
  cmd.targetComponent = 1;
  cmd.command = common.MavCmd.DO_SET_MODE;
  cmd._param1 = 1;
  cmd._param2 = customMode;
  return cmd;
}

describe('the simulator with a signing key', () => {
  it('works with a ground station signing with the key, and drops a third party’s unsigned commands', async () => {
    const { sim, url } = await simulatorWithKey();
    const gcs = await link(url, { signing: { key: KEY } });
    const peer = await gcs.waitForVehicle(5000);
    expect(peer).toMatchObject(TARGET);
    await sendCommand(gcs, TARGET, common.MavCmd.REQUEST_MESSAGE, [148]);
    expect(await downloadMission(gcs, TARGET)).toEqual(expect.any(Array));

    // A third party on the same link, unsigned: it hears the vehicle, but the vehicle ignores it.
    const intruder = await link(url);
    const acks: common.CommandAck[] = [];
    intruder.onMessage(({ message }) => {
      if (message instanceof common.CommandAck && message.command === common.MavCmd.DO_SET_MODE)
        acks.push(message);
    });
    const before = sim.link.stats.unsignedPackets;
    for (let i = 0; i < 5; i++) intruder.send(setModeMessage(ALT_HOLD));
    await new Promise((r) => setTimeout(r, 1500));

    expect(sim.link.stats.unsignedPackets - before).toBeGreaterThanOrEqual(5);
    expect(acks).toEqual([]);
    expect(sim.state().modeName).toBe('STABILIZE');
    expect(gcs.stats).toMatchObject({ unsignedPackets: 0, badSignatures: 0 });
    // The signed ground station still commands it.
    await sendCommand(gcs, TARGET, common.MavCmd.DO_SET_MODE, [1, ALT_HOLD]);
    expect(sim.state().modeName).toBe('ALT_HOLD');
  });

  it('gives a ground station with another key nothing, and counts its packets as badly signed', async () => {
    const { sim, url } = await simulatorWithKey();
    const wrong = await link(url, { signing: { key: OTHER_KEY } });

    await expect(wrong.waitForVehicle(2500)).rejects.toThrow(/packets signed with another key dropped/);
    expect(wrong.stats.packetsIn).toBe(0);
    expect(wrong.stats.badSignatures).toBeGreaterThan(0);
    // Its heartbeats, at 1 Hz.
    expect(sim.link.stats.badSignatures).toBeGreaterThanOrEqual(2);
  });
});

describe('SETUP_SIGNING to the simulator', () => {
  const open: SimAndGcs[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it('stores the key: it signs from then on and ignores unsigned packets', async () => {
    const clock = new FakeClock();
    const s = await startSimulatedSimAndGcs(clock);
    open.push(s);
    await s.run(waitForBoot(s));
    expect(s.sim.link.signing).toBeNull();

    const result = await s.run(setupSigning(s.gcs, s.target, KEY));

    expect(result.tries).toBe(1);
    // Like ArduPilot, its timestamps start a minute past the initial one.
    const simTicks = s.sim.link.signing?.timestampTicks ?? 0;
    expect(simTicks).toBeGreaterThan(result.initialTicks + 6_000_000);
    const hb = await s.run(s.gcs.waitFor(minimal.Heartbeat, () => true, { timeoutMs: 2000 }));
    expect(hb.signed).toBe(true);
    // Unsigned, the ground station is ignored.
    s.gcs.setSigning(null);
    await expect(s.run(setMode(s, MODE.GUIDED))).rejects.toThrow(/no COMMAND_ACK/);
    expect(s.sim.link.stats.unsignedPackets).toBeGreaterThan(3);
    expect(s.sim.state().modeName).toBe('STABILIZE');
  });

  it('is refused while armed, with the words ArduPilot uses', async () => {
    const clock = new FakeClock();
    const s = await startSimulatedSimAndGcs(clock);
    open.push(s);
    await s.run(waitForBoot(s));
    await s.run(waitForEkfPosition(s, EKF_TIMEOUT_MS));
    await s.run(setMode(s, MODE.GUIDED));
    await s.run(arm(s));

    await expect(s.run(setupSigning(s.gcs, s.target, KEY, { retries: 1 }))).rejects.toThrow(
      /did not sign with the key after 2 SETUP_SIGNING \(3 s each\): it said 'ERROR: Won't setup signing when armed'/,
    );
    expect(s.sim.link.signing).toBeNull();
    expect(s.texts).toContain("ERROR: Won't setup signing when armed");
  });

  it('duplicated signed packets reach the ground station once: the copy is stale', async () => {
    const clock = new FakeClock();
    const s = await startSimulatedSimAndGcs(clock, { signingKey: KEY, faults: { duplicate: 1 } });
    open.push(s);
    s.gcs.setSigning({ key: KEY });
    await s.run(nextMessage(s, minimal.Heartbeat));
    await clock.advance(3000);

    expect(s.gcs.stats.staleSignatures).toBeGreaterThanOrEqual(3);
    expect(s.gcs.stats.staleSignatures).toBe(s.gcs.stats.packetsIn);
  });
});
