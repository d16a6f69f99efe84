import type { Command } from 'commander';
import { RECORDING_FILES } from '../sim/light.js';
import { addSimCameraOptions } from './camera-options.js';
import { parseNumberIn } from './options.js';

export interface SimCameraOptions {
  connect: string;
  world: string;
  video?: string;
  record?: string;
  cameraSize: { widthPx: number; heightPx: number };
  cameraFps: number;
  cameraHfov: number;
  duration?: number;
}

export function registerSimCamera(program: Command): void {
  const command = program
    .command('sim-camera')
    .description(
      "Render a world file as any vehicle's camera would see it, from the pose and gimbal the vehicle " +
        'reports on its own MAVLink link (ArduPilot SITL: a second port, --serial1 tcp:2)',
    )
    .requiredOption(
      '--connect <url>',
      "the camera's own link to the vehicle: tcpout://HOST:PORT (SITL's serial 1: 5762 + 10 × I), udpin://, udpout://",
    )
    .requiredOption(
      '--world <file>',
      'world the camera sees: sites and dust plumes (GeoJSON, see missions/README.md)',
    )
    .option('--video <url>', 'stream the camera as H.264 MPEG-TS to udpout://HOST:PORT')
    .option(
      '--record <dir>',
      `write DIR/${RECORDING_FILES.video} (one more per reboot of the vehicle: video-2.mkv…), DIR/${RECORDING_FILES.tlog} (what the camera's link received) and DIR/${RECORDING_FILES.truth}`,
    )
    .option('--duration <s>', 'stop after this many wall-clock seconds', parseNumberIn(1, 86_400));
  addSimCameraOptions(command, "the vehicle's time (a sped-up SITL's seconds are shorter)").action(
    async (opts: SimCameraOptions) => {
      const { runSimCamera } = await import('./sim-camera-run.js');
      await runSimCamera(opts);
    },
  );
}
