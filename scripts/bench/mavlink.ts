/**
 * MAVLink benchmark, one table. Mission transfer: upload + read-back (uploadAndVerifyMission) of 100 and
 * 500 items over real UDP loopback to a MissionServer behind a FaultyTransport, at 0, 5 and 20 % loss
 * each way; each size's 0 % row is its baseline (ratio 1.00), measured in this run. Then the tlog read
 * rate beside plain node-mavlink (scripts/bench/tlog-rate.ts).
 * Run: `npx tsx scripts/bench/mavlink.ts`.
 */
import { performance } from 'node:perf_hooks';
import {
  MavLinkConnection,
  type MissionItem,
  MissionServer,
  openTransport,
  parseConnectionUrl,
  uploadAndVerifyMission,
} from '../../src/mavlink/index.js';
import { seededRandom } from '../../src/random.js';
import { FaultyTransport } from '../../src/sim/faults.js';
import { freeUdpPort } from '../../test/helpers/ports.js';
import { type BenchRow, formatBenchTable } from './table.js';
import { benchTlogRate } from './tlog-rate.js';

const SIZES = [100, 500];
const LOSSES = [0, 0.05, 0.2];
/** Runs per cell, each with its own fault seed; the table shows the median. */
const ROUNDS = 3;

function patrol(count: number): MissionItem[] {
  return Array.from({ length: count }, (_, seq) => ({
    command: 16,
    frame: seq === 0 ? 0 : 3,
    param1: 0,
    param2: 0.5,
    param3: 0,
    param4: Number.NaN,
    x: (473_977_418 + seq * 137) / 1e7,
    y: (85_455_939 - seq * 91) / 1e7,
    z: 30 + (seq % 7) * 2.5,
    autocontinue: true,
  }));
}

/** One upload + read-back; returns the time and the packets both sides sent. */
async function missionRound(
  items: MissionItem[],
  loss: number,
  seed: number,
): Promise<{ ms: number; packets: number }> {
  const port = await freeUdpPort();
  const inner = await openTransport(parseConnectionUrl(`udpin://127.0.0.1:${port}`));
  const faulty = new FaultyTransport(inner, { lossIn: loss, lossOut: loss }, seededRandom(seed));
  const vehicle = new MavLinkConnection(faulty, { systemId: 1, componentId: 1, gcsHeartbeat: false });
  const server = new MissionServer(vehicle);
  const gcs = await MavLinkConnection.open(`udpout://127.0.0.1:${port}`);
  try {
    const start = performance.now();
    await uploadAndVerifyMission(gcs, { sysid: 1, compid: 1 }, items);
    const ms = performance.now() - start;
    return { ms, packets: gcs.stats.packetsOut + vehicle.stats.packetsOut };
  } finally {
    server.close();
    await gcs.close();
    await vehicle.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function missionRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const size of SIZES) {
    const items = patrol(size);
    // Upload: COUNT, n requests, n items, ACK; read-back: REQUEST_LIST, COUNT, n requests, n items, ACK.
    const fewestPackets = 4 * size + 5;
    let baselineMs = 0;
    for (const loss of LOSSES) {
      const rounds = [];
      for (let round = 0; round < ROUNDS; round++)
        rounds.push(await missionRound(items, loss, 1000 * round + size));
      const medianMs = median(rounds.map((r) => r.ms));
      if (loss === 0) baselineMs = medianMs;
      const packets = median(rounds.map((r) => r.packets));
      rows.push({
        benchmark: 'mission upload + read-back',
        input: `${size} items`,
        condition: `${loss * 100} % loss each way`,
        medianMs,
        ratio: medianMs / baselineMs,
        note: `${loss === 0 ? 'baseline; ' : ''}${packets} packets sent (${(packets / fewestPackets).toFixed(2)}x fewest)`,
      });
    }
  }
  return rows;
}

const rows = await missionRows();

// tlog parse rate: readTlog beside plain node-mavlink splitter + parser on the same file (its baseline).
rows.push(...(await benchTlogRate()));

process.stdout.write(
  `MAVLink benchmark, median of ${ROUNDS} rounds, UDP loopback\n${formatBenchTable(rows)}\n`,
);
