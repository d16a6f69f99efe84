import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { openVideo } from '../../src/video/index.js';
import { freeTcpPort, freeUdpPort } from '../helpers/ports.js';
import { ffmpegChildPids } from './ffmpeg-helpers.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dustpatrol-video-bad-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  expect(ffmpegChildPids()).toEqual([]);
});

/** The one-line UserError that opening `input` fails with. */
async function openError(input: string, opts = {}): Promise<UserError> {
  const error = await openVideo(input, opts).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).message).not.toContain('\n');
  return error as UserError;
}

describe('bad video input: one clear line, no ffmpeg left', () => {
  it('a missing file', async () => {
    const file = path.join(dir, 'missing.mp4');
    expect((await openError(file)).message).toBe(`${file}: no such file or folder`);
  });

  it('an empty file', async () => {
    const file = path.join(dir, 'empty.mp4');
    await writeFile(file, '');
    expect((await openError(file)).message).toBe(`${file}: file is empty`);
  });

  it('a corrupt file (random bytes)', async () => {
    const file = path.join(dir, 'corrupt.mp4');
    await writeFile(file, randomBytes(50_000));
    expect((await openError(file)).message).toMatch(new RegExp(`^${file}: not a readable video \\(.+\\)$`));
  });

  it('a text file, with and without a video extension', async () => {
    for (const name of ['notes.txt', 'notes.mp4']) {
      const file = path.join(dir, name);
      await writeFile(file, 'site 12: dust seen near the gate\n');
      expect((await openError(file)).message).toMatch(
        new RegExp(`^${file}: not a (video file|readable video)`),
      );
    }
  });

  it('an audio-only file has no video frames', async () => {
    const file = path.join(dir, 'tone.wav');
    // 0.1 s of 16-bit mono silence at 8 kHz: a real media file without video.
    const samples = 800;
    const header = Buffer.alloc(44);
    header.write('RIFF', 0);
    header.writeUInt32LE(36 + samples * 2, 4);
    header.write('WAVEfmt ', 8);
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(8000, 24);
    header.writeUInt32LE(16000, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36);
    header.writeUInt32LE(samples * 2, 40);
    await writeFile(file, Buffer.concat([header, Buffer.alloc(samples * 2)]));
    expect((await openError(file)).message).toBe(`${file}: not a readable video (no video stream)`);
  });

  it('a folder without images, and a corrupt image', async () => {
    const empty = path.join(dir, 'no-images');
    await mkdir(empty);
    expect((await openError(empty)).message).toBe(`${empty}: no JPEG or PNG images in this folder`);
    const image = path.join(dir, 'broken.jpg');
    await writeFile(image, randomBytes(2000));
    expect((await openError(image)).message).toMatch(new RegExp(`^${image}: not a readable image`));
  });

  it('an RTSP URL with nothing listening', async () => {
    const url = `rtsp://127.0.0.1:${await freeTcpPort()}/live`;
    expect((await openError(url)).message).toMatch(new RegExp(`^${url}: stream unreachable \\(.+\\)$`));
  });

  it('a UDP stream that sends nothing within the first-frame timeout', async () => {
    const url = `udp://127.0.0.1:${await freeUdpPort()}`;
    const started = Date.now();
    const error = await openError(url, { timing: { firstFrameTimeoutMs: 800 } });
    expect(error.message).toBe(`${url}: no video within 0.8 s`);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('an unsupported URL and a bad option', async () => {
    expect((await openError('http://127.0.0.1/x.mp4')).message).toMatch(/unsupported URL/);
    expect((await openError('clip.mp4', { fps: 0 })).message).toBe(
      'clip.mp4: fps must be a positive number, got 0',
    );
  });
});
