import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { GeoPoint } from '../../src/geo/index.js';
import { REPO_ROOT } from './cli.js';

/**
 * ArduPilot Copter SITL, the real autopilot built for this machine: DUSTPATROL_ARDUPILOT when set
 * (.ci/run sets it for a clone that does not sit beside shared/), else where its README puts it,
 * beside the repository in ../shared/ardupilot.
 */
export const SITL_DIR = path.resolve(
  process.env.DUSTPATROL_ARDUPILOT ?? path.join(REPO_ROOT, '../shared/ardupilot'),
);
const BINARY = path.join(SITL_DIR, 'arducopter');
const DEFAULTS = ['copter.parm', 'copter-gimbal.parm'].map((name) => path.join(SITL_DIR, 'params', name));
/** SITL's MAVLink TCP port for instance I is 5760 + 10 × I; its RC input is UDP 5501 + 10 × I. */
const TCP_BASE_PORT = 5760;
/** `--serial1 tcp:2` listens on TCP 5760 + 2 + 10 × I (SITL adds the instance's base port). */
const SECOND_PORT_OFFSET = 2;
/** Instances tried, from the first; dustpatrol's tests use none below it. */
const FIRST_INSTANCE = 21;
const INSTANCES_TRIED = 40;
/** After SIGTERM, SITL gets this long to exit before SIGKILL. */
const STOP_GRACE_MS = 5000;

/**
 * SITL's battery as its default quad flies it (measured with missions/demo.plan, SYS_STATUS and
 * BATTERY_STATUS at 2 Hz): BATT_CAPACITY 3300 mAh (ArduPilot's default; copter.parm sets only
 * BATT_MONITOR 4, voltage and current), SIM_BATT_CAP_AH 0 so the pack holds 12.6 V, and a hover current
 * of 28.1 A (SIM_Frame's default model: refCurrent 29.3 A × refVoltage 12.09 V / 12.6 V). A full battery
 * therefore hovers 3300 mAh / 28.1 A = 7.0 min: what a pilot flying SITL gives the planner as
 * `--endurance`.
 */
const SITL_CAPACITY_MAH = 3300;
const SITL_HOVER_CURRENT_A = 28.1;
export const SITL_BATTERY = {
  capacityMah: SITL_CAPACITY_MAH,
  hoverCurrentA: SITL_HOVER_CURRENT_A,
  hoverEnduranceS: (SITL_CAPACITY_MAH / 1000 / SITL_HOVER_CURRENT_A) * 3600,
} as const;

/** Why SITL cannot run here (one line), or null when it can. */
export function sitlMissing(): string | null {
  try {
    fs.accessSync(BINARY, fs.constants.X_OK);
  } catch {
    return `no ArduPilot SITL binary at ${BINARY} (shared/ardupilot beside the repository, or DUSTPATROL_ARDUPILOT)`;
  }
  const missing = DEFAULTS.find((file) => !fs.existsSync(file));
  return missing ? `no SITL parameter file ${missing}` : null;
}

export interface Sitl {
  /** dustpatrol's connection URL for it: tcpout://127.0.0.1:5760 + 10 × I. */
  url: string;
  /** That port, 5760 + 10 × I. */
  port: number;
  /**
   * Serial 1 as a second MAVLink port, 5762 + 10 × I, when asked for (`secondPort`); else null.
   * ArduPilot trusts SERIAL0 (channel 0, USB on a real board) with unsigned packets even when it signs;
   * SERIAL1 demands signatures, as a telemetry radio's port does.
   */
  secondUrl: string | null;
  instance: number;
  /** Its working folder (eeprom.bin, logs/, and its console output in sitl.log). */
  dir: string;
  /** What it printed so far (every run in this folder), for a failing test's message. */
  log(): string;
  /**
   * A power cycle, as a battery swap is: SIGTERM, then the same vehicle started again in the same folder
   * without -w, so that it keeps its parameters and mission (eeprom.bin) and boots with a full battery.
   */
  restart(): Promise<void>;
  /** SIGTERM to its process, SIGKILL after a grace; removes its working folder. */
  stop(): Promise<void>;
}

export interface SitlOptions {
  home: GeoPoint;
  speedup: number;
  /** Open serial 1 as a second MAVLink TCP port (a camera's or an observer's link): `secondUrl`. */
  secondPort?: boolean;
  /** Parameters set after the README's defaults, written to a file in its folder (`--defaults`). */
  params?: Record<string, number>;
}

/**
 * Starts SITL as its README says (quad `+`, `-w` for a fresh vehicle, the copter and gimbal defaults,
 * serial 2 off; serial 1 off or a second TCP port) on the first free instance, in its own temporary
 * working folder. It boots when the first client connects to `url`.
 */
export async function startSitl(options: SitlOptions): Promise<Sitl> {
  const instance = await freeInstance();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sitl-${instance}-`));
  const logPath = path.join(dir, 'sitl.log');
  const defaults = [...DEFAULTS];
  if (options.params) {
    const file = path.join(dir, 'test.parm');
    const lines = Object.entries(options.params).map(([name, value]) => `${name} ${value}`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    defaults.push(file);
  }
  const { latDeg, lonDeg, altAmslM } = options.home;
  const args = (wipe: boolean) => [
    ...['--model', '+', '--speedup', String(options.speedup)],
    ...(wipe ? ['-w'] : []),
    ...['--defaults', defaults.join(','), '--home', `${latDeg},${lonDeg},${altAmslM},0`],
    ...['-I', String(instance)],
    ...['--serial1', options.secondPort ? `tcp:${SECOND_PORT_OFFSET}` : 'none', '--serial2', 'none'],
  ];
  const launch = (wipe: boolean) => {
    const out = fs.openSync(logPath, 'a');
    const child = spawn(BINARY, args(wipe), { cwd: dir, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    return child;
  };
  let child = launch(true);
  const base = TCP_BASE_PORT + 10 * instance;
  return {
    url: `tcpout://127.0.0.1:${base}`,
    port: base,
    secondUrl: options.secondPort ? `tcpout://127.0.0.1:${base + SECOND_PORT_OFFSET}` : null,
    instance,
    dir,
    log: () => fs.readFileSync(logPath, 'utf8'),
    restart: async () => {
      await stopProcess(child);
      child = launch(false);
    },
    stop: async () => {
      await stopProcess(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function freeInstance(): Promise<number> {
  for (let instance = FIRST_INSTANCE; instance < FIRST_INSTANCE + INSTANCES_TRIED; instance++) {
    const base = TCP_BASE_PORT + 10 * instance;
    if ((await tcpPortFree(base)) && (await tcpPortFree(base + SECOND_PORT_OFFSET))) return instance;
  }
  throw new Error(`no free SITL instance among -I ${FIRST_INSTANCE}…${FIRST_INSTANCE + INSTANCES_TRIED - 1}`);
}

function tcpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
