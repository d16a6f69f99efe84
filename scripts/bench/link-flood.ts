/**
 * Link flood benchmark (issue 13), one table. `dustpatrol status` listens on udpin beside the built-in
 * simulator (udpout, wall time) while a socket floods the same port with 12-byte datagrams that claim
 * a 255-byte payload of an unknown message. Per row: the vehicle's heartbeat age as status reports it
 * (median over its JSON lines, each from its arrival, once a heartbeat has reached the vehicle state; a
 * status that gave up shows its error), the vehicle's packets/s status decoded,
 * and what status sent to the flooder. The baseline is `git archive REF` (default main) built into a
 * temporary folder, measured in the same run; each row's ratio is its median heartbeat age over the
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

const FLOOD_RATES_PER_S = [0, 17, 200];

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

/** One run: status on udpin, the flood, then the simulator; returns status's lines with arrival time. */
async function measure(cli: string, floodPerS: number, seconds: number) {
  const port = await freeUdpPort();
  const status = spawn(
    process.execPath,
    [cli, 'status', '--connect', `udpin://127.0.0.1:${port}`, '--json', '--duration', String(seconds)],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: { atUs: number; line: StatusLine }[] = [];
  let partial = '';
  status.stdout.on('data', (chunk) => {
    const text = partial + chunk;
    const parts = text.split('\n');
    partial = parts.pop() as string;
    for (const part of parts) lines.push({ atUs: Date.now() * 1000, line: JSON.parse(part) });
  });
  let stderr = '';
  status.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => status.on('close', (code) => resolve(code)));

  const flooder = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => flooder.bind(0, '127.0.0.1', () => resolve()));
  let answered = 0;
  flooder.on('message', () => answered++);
  let sent = 0;
  const tickMs = floodPerS > 0 ? Math.max(1, Math.floor(1000 / floodPerS)) : 0;
  const perTick = floodPerS > 0 ? Math.max(1, Math.round((floodPerS * tickMs) / 1000)) : 0;
  const timer =
    floodPerS > 0
      ? setInterval(() => {
          for (let i = 0; i < perTick; i++) flooder.send(floodDatagram(sent++), port, '127.0.0.1');
        }, tickMs)
      : null;
  // Let status bind before the vehicle speaks.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const sim = await startSimulator({ connect: `udpout://127.0.0.1:${port}`, home: HOME });
  const code = await exited;
  if (timer) clearInterval(timer);
  await sim.close();
  await new Promise<void>((resolve) => flooder.close(() => resolve()));
  const failure = code === 0 ? null : `status exit ${code}: ${stderr.trim().split('\n').at(-1)}`;
  const ages = lines
    .filter(({ line }) => line.lastHeartbeatUs > 0)
    .map(({ atUs, line }) => (atUs - line.lastHeartbeatUs) / 1000);
  if (process.env.BENCH_DEBUG) console.error(cli, floodPerS, ages.map((a) => a.toFixed(0)).join(' '));
  return { lines, ages, answered, sent, failure };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)];
}

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
    for (const floodPerS of FLOOD_RATES_PER_S) {
      const { lines, ages, answered, sent, failure } = await measure(build.cli, floodPerS, seconds);
      const ageMs = median(ages);
      if (floodPerS === 0) quietAgeMs = ageMs;
      const first = lines[0];
      const last = lines.at(-1);
      const packetsPerS =
        first && last && last.atUs > first.atUs
          ? ((last.line.link.packetsIn - first.line.link.packetsIn) * 1e6) / (last.atUs - first.atUs)
          : Number.NaN;
      rows.push({
        benchmark: 'status heartbeat age',
        input: build.name,
        condition: floodPerS === 0 ? 'no flood' : `flood ${floodPerS}/s`,
        medianMs: ageMs,
        ratio: ageMs / quietAgeMs,
        note: [
          failure ?? `max ${Math.max(...ages).toFixed(0)} ms, vehicle ${packetsPerS.toFixed(1)} pkt/s`,
          `${answered} sent to flooder (of ${sent} flood datagrams)`,
        ].join(', '),
      });
    }
  }
  console.log(formatBenchTable(rows));
}

await main();
