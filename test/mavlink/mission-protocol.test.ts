import { common } from 'node-mavlink';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError, UserError } from '../../src/errors.js';
import {
  clearMission,
  downloadMission,
  type MavLinkConnection,
  type MissionItem,
  MissionServer,
  MissionTransferError,
  MissionType,
  MissionVerifyError,
  uploadAndVerifyMission,
  uploadMission,
} from '../../src/mavlink/index.js';
import { type LinkPair, openLinkPair } from '../helpers/link-pair.js';
import { patrolItems } from './mission-items.js';

const Result = common.MavMissionResult;
const NAV_FENCE_POLYGON_VERTEX_INCLUSION = 5001;
const NAV_RALLY_POINT = 5100;

function missionAck(
  to: { sysid: number; compid: number },
  result: common.MavMissionResult,
): common.MissionAck {
  const ack = new common.MissionAck();
  ack.targetSystem = to.sysid;
  ack.targetComponent = to.compid;
  ack.type = result;
  ack.missionType = common.MavMissionType.MISSION;
  ack.opaqueId = 0;
  return ack;
}

/**
 * Stands in for an older autopilot: asks for each item with the legacy MISSION_REQUEST and acks at the
 * end, or with `refuse`'s result when it returns one for an item.
 */
function legacyVehicle(
  vehicle: MavLinkConnection,
  refuse: (item: common.MissionItemInt) => common.MavMissionResult | undefined = () => undefined,
): common.MissionItemInt[] {
  const received: common.MissionItemInt[] = [];
  let count = 0;
  vehicle.onMessage((rx) => {
    const from = { sysid: rx.sysid, compid: rx.compid };
    const request = (seq: number) => {
      const m = new common.MissionRequest();
      m.targetSystem = from.sysid;
      m.targetComponent = from.compid;
      m.seq = seq;
      m.missionType = common.MavMissionType.MISSION;
      vehicle.send(m);
    };
    const m = rx.message;
    if (m instanceof common.MissionCount) {
      count = m.count;
      received.length = 0;
      request(0);
    } else if (m instanceof common.MissionItemInt && m.seq === received.length) {
      const refusal = refuse(m);
      if (refusal !== undefined) {
        vehicle.send(missionAck(from, refusal));
        return;
      }
      received.push(m);
      if (received.length < count) request(received.length);
      else vehicle.send(missionAck(from, Result.ACCEPTED));
    }
  });
  return received;
}

function fence(): MissionItem[] {
  const corners = [
    [47.3969, 8.5445],
    [47.3969, 8.5465],
    [47.3985, 8.5465],
    [47.3985, 8.5445],
  ];
  return corners.map(([lat, lon]) => ({
    command: NAV_FENCE_POLYGON_VERTEX_INCLUSION,
    frame: 0,
    param1: corners.length,
    param2: 0,
    param3: 0,
    param4: 0,
    x: lat,
    y: lon,
    z: 0,
    autocontinue: true,
  }));
}

function rally(): MissionItem[] {
  return [
    [47.3971, 8.5448, 20],
    [47.3982, 8.5461, 25],
  ].map(([lat, lon, alt]) => ({
    command: NAV_RALLY_POINT,
    frame: 3,
    param1: 0,
    param2: 0,
    param3: 0,
    param4: 0,
    x: lat,
    y: lon,
    z: alt,
    autocontinue: true,
  }));
}

describe('mission protocol', () => {
  let pair: LinkPair;
  beforeEach(async () => {
    pair = await openLinkPair();
  });
  afterEach(async () => {
    await pair.close();
  });

  it('a vehicle without space answers NO_SPACE and keeps its mission', async () => {
    const server = new MissionServer(pair.vehicle, { capacity: 100 });
    const old = patrolItems(10, 1);
    server.setItems(MissionType.Mission, old);

    const upload = uploadMission(pair.gcs, pair.target, patrolItems(300));

    await expect(upload).rejects.toBeInstanceOf(MissionTransferError);
    await expect(upload).rejects.toThrow(/no space for 300 items/);
    expect(server.items(MissionType.Mission)).toEqual(old);
  });

  it('keeps fence and rally lists apart from the mission', async () => {
    const changed: MissionType[] = [];
    const server = new MissionServer(pair.vehicle, { onChanged: (type) => changed.push(type) });
    const mission = patrolItems(5);
    server.setItems(MissionType.Mission, mission);

    expect(
      await uploadAndVerifyMission(pair.gcs, pair.target, fence(), { missionType: MissionType.Fence }),
    ).toEqual(fence());
    expect(
      await uploadAndVerifyMission(pair.gcs, pair.target, rally(), { missionType: MissionType.Rally }),
    ).toEqual(rally());

    expect(changed).toEqual([MissionType.Fence, MissionType.Rally]);
    expect(await downloadMission(pair.gcs, pair.target, { missionType: MissionType.Fence })).toEqual(fence());
    expect(await downloadMission(pair.gcs, pair.target)).toEqual(mission);
  });

  it('cancelling an upload leaves the old mission, and the next upload works', async () => {
    const server = new MissionServer(pair.vehicle);
    const old = patrolItems(20, 1);
    server.setItems(MissionType.Mission, old);
    const controller = new AbortController();

    const upload = uploadMission(pair.gcs, pair.target, patrolItems(300), {
      signal: controller.signal,
      onProgress: (done) => {
        if (done >= 50) controller.abort();
      },
    });

    await expect(upload).rejects.toBeInstanceOf(CancelledError);
    expect(await downloadMission(pair.gcs, pair.target)).toEqual(old);
    expect(server.items(MissionType.Mission)).toEqual(old);
    const next = patrolItems(30, 2);
    await uploadAndVerifyMission(pair.gcs, pair.target, next);
    expect(server.items(MissionType.Mission)).toEqual(next);
  });

  it('a stray INVALID_SEQUENCE ack in the middle of an upload does not abort it', async () => {
    const server = new MissionServer(pair.vehicle);
    let strayAckSent = false;
    pair.vehicle.onMessage((rx) => {
      if (!(rx.message instanceof common.MissionItemInt) || rx.message.seq !== 40 || strayAckSent) return;
      strayAckSent = true;
      // What ArduPilot sometimes sends mid-transfer before carrying on.
      pair.vehicle.send(missionAck({ sysid: rx.sysid, compid: rx.compid }, Result.INVALID_SEQUENCE));
    });
    const items = patrolItems(100);

    await uploadAndVerifyMission(pair.gcs, pair.target, items);

    expect(strayAckSent).toBe(true);
    expect(server.items(MissionType.Mission)).toEqual(items);
  });

  it('does not compare home, which the vehicle overwrites, but reports a changed item', async () => {
    const vehicleHome: MissionItem = { ...patrolItems(1)[0], x: 47.3978, y: 8.5456, z: 491.5 };
    let tamper = false;
    const server: MissionServer = new MissionServer(pair.vehicle, {
      onChanged: (type, items) => {
        const changed = items.map((item, seq) => (tamper && seq === 7 ? { ...item, param1: 9 } : item));
        server.setItems(type, [vehicleHome, ...changed.slice(1)]);
      },
    });
    const items = patrolItems(12);

    const back = await uploadAndVerifyMission(pair.gcs, pair.target, items);
    expect(back).toEqual([vehicleHome, ...items.slice(1)]);

    tamper = true;
    const verify = uploadAndVerifyMission(pair.gcs, pair.target, items);
    await expect(verify).rejects.toBeInstanceOf(MissionVerifyError);
    await expect(verify).rejects.toMatchObject({ seq: 7, field: 'param1' });
    await expect(verify).rejects.toThrow(/seq 7, field param1: expected 1, vehicle has 9/);
  });

  it('clears a list', async () => {
    const server = new MissionServer(pair.vehicle);
    server.setItems(MissionType.Mission, patrolItems(8));
    server.setItems(MissionType.Rally, rally());

    await clearMission(pair.gcs, pair.target);

    expect(await downloadMission(pair.gcs, pair.target)).toEqual([]);
    expect(server.items(MissionType.Rally)).toEqual(rally());
  });

  it('runs transfers on one link one after another', async () => {
    const server = new MissionServer(pair.vehicle);
    const items = patrolItems(60);

    await Promise.all([
      uploadAndVerifyMission(pair.gcs, pair.target, items),
      uploadAndVerifyMission(pair.gcs, pair.target, fence(), { missionType: MissionType.Fence }),
      downloadMission(pair.gcs, pair.target, { missionType: MissionType.Rally }),
    ]);

    expect(server.items(MissionType.Mission)).toEqual(items);
    expect(server.items(MissionType.Fence)).toEqual(fence());
  });

  it('answers the legacy MISSION_REQUEST with the items', async () => {
    const received = legacyVehicle(pair.vehicle);
    const items = patrolItems(10);

    await uploadMission(pair.gcs, pair.target, items);

    expect(received.map((m) => m.seq)).toEqual(items.map((_, seq) => seq));
    expect(received[3].x).toBe(Math.round(items[3].x * 1e7));
  });

  it('names the item and the reason when the vehicle refuses one', async () => {
    legacyVehicle(pair.vehicle, (item) => (item.seq === 2 ? Result.UNSUPPORTED_FRAME : undefined));

    const upload = uploadMission(pair.gcs, pair.target, patrolItems(10));

    await expect(upload).rejects.toThrow(
      /mission upload failed: item 2 \(MAV_CMD_NAV_WAYPOINT, frame 3\): the vehicle does not support its coordinate frame \(MAV_MISSION_UNSUPPORTED_FRAME\)/,
    );
  });

  it('rejects an item that cannot be sent before sending anything', async () => {
    const server = new MissionServer(pair.vehicle);
    const old = patrolItems(5, 1);
    server.setItems(MissionType.Mission, old);
    const items = patrolItems(5);
    items[3] = { ...items[3], x: 95 };

    const upload = uploadMission(pair.gcs, pair.target, items);

    await expect(upload).rejects.toBeInstanceOf(UserError);
    await expect(upload).rejects.toThrow('mission item 3: latitude 95 is outside ±90 degrees');
    expect(server.items(MissionType.Mission)).toEqual(old);
  });
});
