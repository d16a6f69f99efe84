import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { makePlumeClip } from '../helpers/plume-clip.js';

const FIXTURES = path.join(REPO_ROOT, 'fixtures/detect');
// The fixture photos (not their masks); which of them the model finds plumes in is the model's business.
const PHOTOS = fs.readdirSync(FIXTURES).filter((name) => name.endsWith('.jpg'));

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-detect-cli-'));
});

/** A fresh folder holding the named fixture photos under new names: [fixture, name][]. */
function photoFolder(name: string, photos: [string, string][]): string {
  const folder = path.join(dir, name);
  fs.mkdirSync(folder);
  for (const [fixture, as] of photos) fs.copyFileSync(path.join(FIXTURES, fixture), path.join(folder, as));
  return folder;
}

interface PhotoLine {
  file: string;
  hasPlume: boolean;
  imageScore: number | null;
  plumes: { box: { x0: number; y0: number; x1: number; y1: number } }[];
  inferenceMs: number;
  snapshot: string | null;
}

function readLines(out: string): PhotoLine[] {
  const text = fs.readFileSync(path.join(out, 'detections.jsonl'), 'utf8').trim();
  return text.split('\n').map((line) => JSON.parse(line) as PhotoLine);
}

/** The summary table's row for `folder`: photos, with plumes, without, unreadable. */
function summaryRow(stdout: string, folder: string): number[] {
  const row = stdout.split('\n').find((line) => line.startsWith(`${folder} `));
  expect(row, `a summary row for ${folder} in:\n${stdout}`).toBeDefined();
  return (row ?? '').slice(folder.length).trim().split(/\s+/).map(Number);
}
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

  it('judges each photo of a folder on its own: one line per photo, a snapshot each with plumes, a summary', async () => {
    // Natural order: photo-2 before photo-10.
    const names = PHOTOS.map((_, i) => `photo-${i + 3}.jpg`);
    const folder = photoFolder(
      'photos',
      PHOTOS.map((fixture, i) => [fixture, names[i]]),
    );
    const out = path.join(dir, 'photos-out');

    const r = await runCli(['detect', folder, '--out', out]);

    expect(r.stderr).not.toContain('dustpatrol:');
    expect(r.code).toBe(0);
    const lines = readLines(out);
    expect(lines.map((l) => l.file)).toEqual(names.map((name) => path.join(folder, name)));
    for (const line of lines) {
      expect(line.hasPlume).toBe(line.plumes.length > 0);
      expect(line.imageScore === null || (line.imageScore >= 0 && line.imageScore <= 1)).toBe(true);
      expect(line.inferenceMs).toBeGreaterThan(0);
      // Boxes in the photo's own pixels (the fixtures are 640×360), not the model's 256×256.
      for (const { box } of line.plumes) {
        expect(box.x0 >= 0 && box.x1 <= 640 && box.y0 >= 0 && box.y1 <= 360 && box.x0 < box.x1).toBe(true);
      }
    }
    const withPlumes = lines.filter((l) => l.hasPlume);
    const snapshots = fs.readdirSync(out).filter((f) => f.endsWith('.jpg'));
    expect(snapshots.sort()).toEqual(
      withPlumes.map((l) => `${path.basename(l.file, '.jpg')}-plumes.jpg`).sort(),
    );
    expect(withPlumes.map((l) => l.snapshot)).toEqual(
      withPlumes.map((l) => `${path.basename(l.file, '.jpg')}-plumes.jpg`),
    );
    for (const snapshot of snapshots) {
      expect(fs.readFileSync(path.join(out, snapshot)).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }

    const count = PHOTOS.length;
    expect(summaryRow(r.stdout, folder)).toEqual([count, withPlumes.length, count - withPlumes.length, 0]);
    expect(r.stdout).toContain(
      `${count} photos: ${withPlumes.length} with plumes, ${count - withPlumes.length} without, 0 unreadable`,
    );

    const json = await runCli(['detect', folder, '--out', path.join(dir, 'photos-json'), '--json']);
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout);
    expect(summary).toMatchObject({
      photos: count,
      withPlumes: withPlumes.length,
      withoutPlumes: count - withPlumes.length,
      unreadable: 0,
      unreadableFiles: [],
      folders: [{ folder, photos: count, withPlumes: withPlumes.length, unreadable: 0 }],
    });
  });

  it('names an unreadable photo in a folder, carries on with the others, and exits 1', async () => {
    const folder = photoFolder('mixed', [
      [PHOTOS[0], 'a-1.jpg'],
      [PHOTOS[1], 'a-3.jpg'],
    ]);
    const broken = path.join(folder, 'a-2.jpg');
    fs.writeFileSync(broken, 'this is not a JPEG\n'.repeat(50));
    const out = path.join(dir, 'mixed-out');

    const r = await runCli(['detect', folder, '--out', out]);

    expect(r.code).toBe(1);
    const complaints = r.stderr.split('\n').filter((line) => line.includes(broken));
    expect(complaints).toHaveLength(1);
    expect(complaints[0]).toMatch(/cannot read the image/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readLines(out).map((l) => l.file)).toEqual([
      path.join(folder, 'a-1.jpg'),
      path.join(folder, 'a-3.jpg'),
    ]);
    const [photos, withPlumes, without, unreadable] = summaryRow(r.stdout, folder);
    expect([photos, withPlumes + without, unreadable]).toEqual([3, 2, 1]);

    // The same photo given alone: one line, exit 1.
    const alone = await runCli(['detect', broken, '--out', path.join(dir, 'alone-out')]);
    expect(alone.code).toBe(1);
    expect(alone.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/a-2\.jpg: cannot read the image/),
    ]);
  });

  it('refuses a broken model or one without its description in one line, no stack trace', async () => {
    const photo = path.join(FIXTURES, PHOTOS[0]);
    const detectWith = (model: string, out: string) =>
      runCli(['detect', photo, '--model', model, '--out', path.join(dir, out)]);
    const garbage = path.join(dir, 'garbage');
    fs.mkdirSync(garbage);
    fs.writeFileSync(path.join(garbage, 'model.onnx'), Buffer.alloc(4096, 0x5a));
    fs.copyFileSync(path.join(REPO_ROOT, 'models/dust-plume.json'), path.join(garbage, 'model.json'));
    const broken = await detectWith(path.join(garbage, 'model.onnx'), 'g');
    expect(broken.code).not.toBe(0);
    expect(broken.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/model\.onnx: not a usable ONNX model/),
    ]);

    const lonely = path.join(dir, 'lonely');
    fs.mkdirSync(lonely);
    fs.copyFileSync(path.join(REPO_ROOT, 'models/dust-plume.onnx'), path.join(lonely, 'model.onnx'));
    const noCard = await detectWith(path.join(lonely, 'model.onnx'), 'l');
    expect(noCard.code).not.toBe(0);
    expect(noCard.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/model\.json: no such model description/),
    ]);
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
