/**
 * Link flood benchmark (issue 13), one table. `dustpatrol status` listens on udpin beside the built-in
 * simulator (udpout, wall time) while a socket floods the same port with 12-byte datagrams that claim
 * a 255-byte payload of an unknown message. Per row, over the status lines printed while the flood ran:
 * the vehicle's heartbeat age as status reports it (the mean, in the 'median ms' column, from each
 * line's arrival; a status that gave up shows its error), the vehicle's packets/s status decoded,
 * and what status sent to the flooder. The baseline is `git archive REF` (default main) built into a
 * temporary folder, measured in the same run; each row's ratio is its mean heartbeat age over the
 * same build's no-flood row.
 * Run: `npm run build && npx tsx scripts/bench/link-flood.ts [--ref main] [--seconds 8]`.
 */
import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from '../../src/sim/index.js';
import { REPO_ROOT } from '../../test/helpers/cli.js';
import { freeUdpPort } from '../../test/helpers/ports.js';
import { HOME } from '../../test/helpers/sim-gcs.js';
import { type BenchRow, formatBenchTable } from './table.js';

interface StatusLine {
  lastHeartbeatUs: number;
  link: { packetsIn: number };
}

/** Builds `ref`'s CLI into a temporary folder; returns its main.js. */
function buildBaseline(ref: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-baseline-'));
  const archive = execFileSync(
    'git',
    ['-C', REPO_ROOT, 'archive', ref, 'src', 'package.json', 'tsconfig.json', 'tsconfig.build.json'],
    {
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  execFileSync(path.join(REPO_ROOT, 'node_modules/.bin/tsc'), ['-p', path.join(dir, 'tsconfig.build.json')]);
  return path.join(dir, 'dist/cli/main.js');
}

function floodDatagram(seq: number): Buffer {
  return Buffer.from([0xfd, 255, 0, 0, seq % 200, 7, 7, 0xff, 0xff, 0xff, 0x11, 0x22]);
}

/** When the flood starts: once status has connected (the tester's case), or before the vehicle. */
type FloodStart = 'connected' | 'before vehicle';

interface Condition {
  floodPerS: number;
  from: FloodStart;
}

const CONDITIONS: Condition[] = [
  { floodPerS: 0, from: 'connected' },
  { floodPerS: 17, from: 'connected' },
  { floodPerS: 200, from: 'connected' },
  { floodPerS: 17, from: 'before vehicle' },
];

/** Status lines refresh every 500 ms (src/cli/status-run.ts). */
const STATUS_REFRESH_US = 500_000;

/**
 * One run: status on udpin, then the simulator, with the flood from `from`. Returns the heartbeat
 * ages and the vehicle's packet rate over status's lines while the flood ran, and what the flooder heard.
 */
async function measure(cli: string, { floodPerS, from }: Condition, seconds: number) {
  const port = await freeUdpPort();
  const flooder = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => flooder.bind(0, '127.0.0.1', () => resolve()));
  let answered = 0;
  flooder.on('message', () => answered++);
  let sent = 0;
  let timer: NodeJS.Timeout | null = null;
  let floodFromUs = Number.POSITIVE_INFINITY;
  const startFlood = () => {
    floodFromUs = Date.now() * 1000;
    if (floodPerS === 0) return;
    // Timers fire at most every ~1 ms; send as many per tick as the rate asks.
    const tickMs = Math.max(1, Math.floor(1000 / floodPerS));
    const perTick = Math.max(1, Math.round((floodPerS * tickMs) / 1000));
    timer = setInterval(() => {
      for (let i = 0; i < perTick; i++) flooder.send(floodDatagram(sent++), port, '127.0.0.1');
    }, tickMs);
  };

  const status = spawn(
    process.execPath,
    [cli, 'status', '--connect', `udpin://127.0.0.1:${port}`, '--json', '--duration', String(seconds)],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: { atUs: number; line: StatusLine }[] = [];
  let partial = '';
  status.stdout.on('data', (chunk) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() as string;
    for (const part of parts) {
      lines.push({ atUs: Date.now() * 1000, line: JSON.parse(part) });
      if (lines.length === 1 && from === 'connected') startFlood();
    }
  });
  let stderr = '';
  status.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => status.on('close', (code) => resolve(code)));
  if (from === 'before vehicle') startFlood();
  // Let status bind before the vehicle speaks.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const sim = await startSimulator({ connect: `udpout://127.0.0.1:${port}`, home: HOME });
  const code = await exited;
  if (timer) clearInterval(timer);
  await sim.close();
  await new Promise<void>((resolve) => flooder.close(() => resolve()));

  const flooded = lines.filter(({ atUs }) => atUs > floodFromUs);
  // Before the first heartbeat reaches the vehicle state, count from the connection (one refresh
  // before the first line), when status had just heard one.
  const connectedUs = (lines[0]?.atUs ?? 0) - STATUS_REFRESH_US;
  const agesMs = flooded.map(({ atUs, line }) => (atUs - (line.lastHeartbeatUs || connectedUs)) / 1000);
  const first = flooded[0];
  const last = flooded.at(-1);
  const packetsPerS =
    first && last && last.atUs > first.atUs
      ? ((last.line.link.packetsIn - first.line.link.packetsIn) * 1e6) / (last.atUs - first.atUs)
      : Number.NaN;
  const failure = code === 0 ? null : `status exit ${code}: ${stderr.trim().split('\n').at(-1)}`;
  return { agesMs, packetsPerS, answered, sent, failure };
}

const mean = (values: number[]) =>
  values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;

async function main() {
  const { values } = parseArgs({
    options: { ref: { type: 'string', default: 'main' }, seconds: { type: 'string', default: '8' } },
  });
  const seconds = Number(values.seconds);
  const builds = [
    { name: `baseline (${values.ref})`, cli: buildBaseline(values.ref as string) },
    { name: 'this tree', cli: path.join(REPO_ROOT, 'dist/cli/main.js') },
  ];
  const rows: BenchRow[] = [];
  for (const build of builds) {
    let quietAgeMs = Number.NaN;
    for (const condition of CONDITIONS) {
      const { agesMs, packetsPerS, answered, sent, failure } = await measure(build.cli, condition, seconds);
      const ageMs = mean(agesMs);
      if (condition.floodPerS === 0) quietAgeMs = ageMs;
      rows.push({
        benchmark: 'status heartbeat age',
        input: build.name,
        condition:
          condition.floodPerS === 0 ? 'no flood' : `flood ${condition.floodPerS}/s from ${condition.from}`,
        medianMs: ageMs,
        ratio: ageMs / quietAgeMs,
        note: [
          failure ?? `max ${Math.max(...agesMs).toFixed(0)} ms, vehicle ${packetsPerS.toFixed(1)} pkt/s`,
          `${answered} sent to flooder (of ${sent} flood datagrams)`,
        ].join(', '),
      });
    }
  }
  console.log(formatBenchTable(rows));
}

await main();
