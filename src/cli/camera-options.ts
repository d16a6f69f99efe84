import { type Command, Option } from 'commander';
import { DEFAULT_CAMERA } from '../camera.js';
import { DEFAULT_CAMERA_FPS } from '../sim/light.js';
import { parseNumberIn, parseSize } from './options.js';

/** The simulated camera's flags, as `sim` and `sim-camera` take them; `fpsOf`: whose seconds the rate counts. */
export function addSimCameraOptions(command: Command, fpsOf: string): Command {
  return command
    .addOption(
      new Option('--camera-size <WxH>', 'camera frame size in pixels')
        .argParser(parseSize)
        .default(
          { widthPx: DEFAULT_CAMERA.widthPx, heightPx: DEFAULT_CAMERA.heightPx },
          `${DEFAULT_CAMERA.widthPx}x${DEFAULT_CAMERA.heightPx}`,
        ),
    )
    .option(
      '--camera-fps <n>',
      `camera frames per second of ${fpsOf}`,
      parseNumberIn(1, 60),
      DEFAULT_CAMERA_FPS,
    )
    .option(
      '--camera-hfov <deg>',
      'camera horizontal field of view',
      parseNumberIn(10, 150),
      DEFAULT_CAMERA.hfovDeg,
    );
}
