import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makePlumeClip } from '../helpers/plume-clip.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-detect-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('dustpatrol detect', () => {
  it('writes detections and a snapshot per confirmed plume, and prints a summary', async () => {
    const clip = await makePlumeClip(dir);
    const out = path.join(dir, 'out');

    const r = await runCli(['detect', clip, '--fps', '2', '--out', out]);

    expect(r.stderr).not.toContain('dustpatrol:');
    expect(r.code).toBe(0);
    const match = /(\d+) frames analysed, (\d+) plumes? confirmed/.exec(r.stdout);
    expect(match).not.toBeNull();
    const [frames, plumes] = [Number(match?.[1]), Number(match?.[2])];
    expect(frames).toBe(18);
    expect(plumes).toBeGreaterThan(0);
    const lines = fs.readFileSync(path.join(out, 'detections.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(frames);
    const snapshots = fs.readdirSync(out).filter((f) => f.endsWith('.jpg'));
    expect(snapshots).toHaveLength(plumes);
    // A real JPEG.
    expect(fs.readFileSync(path.join(out, snapshots[0])).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('says in one line when the input or the model is missing', async () => {
    const noInput = await runCli(['detect', path.join(dir, 'nope.mp4'), '--out', path.join(dir, 'x')]);
    expect(noInput.code).toBe(1);
    expect(noInput.stderr).toMatch(/nope\.mp4: no such file/);
    expect(noInput.stderr.trim().split('\n')).toHaveLength(1);

    const noModel = await runCli([
      'detect',
      'fixtures/detect/plume-1.jpg',
      '--model',
      path.join(dir, 'm.onnx'),
    ]);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toMatch(/m\.onnx: no such model file/);
    expect(noModel.stderr.trim().split('\n')).toHaveLength(1);
  });
});
