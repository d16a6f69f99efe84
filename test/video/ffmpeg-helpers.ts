import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { resolveFfmpeg } from '../../src/video/index.js';

const run = promisify(execFile);

/** A short H.264 clip of ffmpeg's test pattern. */
export async function makeClip(
  file: string,
  seconds: number,
  size = '320x240',
  rate = 10,
  metadata: string[] = [],
): Promise<void> {
  await run(resolveFfmpeg(), [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi'],
    ...['-i', `testsrc2=size=${size}:rate=${rate}`, '-t', String(seconds)],
    ...metadata.flatMap((entry) => ['-metadata', entry]),
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file],
  ]);
}

/** Sends the test pattern in real time as MPEG-TS over UDP to 127.0.0.1:port for `seconds`. */
export function startUdpSender(port: number, seconds: number): ChildProcess {
  return spawn(
    resolveFfmpeg(),
    [
      ...['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi'],
      ...['-i', `testsrc2=size=160x120:rate=10`, '-t', String(seconds)],
      // A key frame every 0.5 s so that a reader that joins late starts quickly.
      ...[
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-tune',
        'zerolatency',
        '-g',
        '5',
        '-pix_fmt',
        'yuv420p',
      ],
      ...['-f', 'mpegts', `udp://127.0.0.1:${port}`],
    ],
    { stdio: 'ignore' },
  );
}

export function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Live ffmpeg processes whose parent is this test process, read from /proc (zombies excluded). */
export function ffmpegChildPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while listing
    }
    // pid (comm) state ppid …; comm may contain spaces, so split after the last ')'.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (comm.includes('ffmpeg') && Number(ppid) === process.pid && state !== 'Z') pids.push(Number(name));
  }
  return pids;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
