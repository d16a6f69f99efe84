import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { freeUdpPort } from '../helpers/ports.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Gone, or a zombie waiting for a parent that is no longer ours to reap it. */
function isGone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
  } catch {
    return true;
  }
}

it('exiting the process kills the ffmpeg it started', async () => {
  const port = await freeUdpPort();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', path.join(here, 'exit-child.ts'), String(port)],
    { cwd: path.join(here, '../..') },
  );
  const pids = JSON.parse(stdout) as number[];
  expect(pids).toHaveLength(1);
  await sleep(200);
  expect(isGone(pids[0])).toBe(true);
});
