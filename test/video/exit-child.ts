// Run by exit-hook.test.ts: opens a UDP source that never gets data, prints its ffmpeg pid, exits.
import { setTimeout as sleep } from 'node:timers/promises';
import { openVideo } from '../../src/video/index.js';
import { ffmpegChildPids } from './ffmpeg-helpers.js';

openVideo(`udp://127.0.0.1:${process.argv[2]}`).catch(() => {});
await sleep(500);
console.log(JSON.stringify(ffmpegChildPids()));
process.exit(0);
