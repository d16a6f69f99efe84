import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { type Frame, openVideo } from '../../src/video/index.js';
import { freeUdpPort } from '../helpers/ports.js';
import { ffmpegChildPids, isAlive, startUdpSender, waitForExit } from './ffmpeg-helpers.js';

/** Short waits so that the drop, the reconnect and the final give-up fit in a few seconds. */
const TIMING = { firstFrameTimeoutMs: 3000, stallTimeoutMs: 700, reconnectDelayMs: 100, maxReconnects: 1 };

describe('UDP MPEG-TS stream', () => {
  it('reads a stream that stops for 2 s and starts again, to the end, pts increasing', async () => {
    const port = await freeUdpPort();
    const url = `udp://127.0.0.1:${port}`;
    const opening = openVideo(url, { timing: TIMING });
    await sleep(300); // ffmpeg listens before the sender starts

    const readerPids = new Set<number>();
    const senders = (async () => {
      const first = startUdpSender(port, 2);
      await waitForExit(first);
      await sleep(2000);
      const second = startUdpSender(port, 2);
      await waitForExit(second);
      return [first.pid, second.pid];
    })();

    const source = await opening;
    expect(source.info).toMatchObject({ width: 160, height: 120, live: true });
    expect(source.info.durationS).toBeUndefined();
    const frames: Frame[] = [];
    for await (const frame of source) {
      frames.push(frame);
      for (const pid of ffmpegChildPids()) readerPids.add(pid);
    }
    const senderPids = await senders;

    // The long gap in arrival is the pause between the two senders.
    const gaps = frames.slice(1).map((f, i) => f.receivedAtMs - frames[i].receivedAtMs);
    const pause = gaps.indexOf(Math.max(...gaps));
    expect(gaps[pause]).toBeGreaterThan(1500);
    const [before, after] = [frames.slice(0, pause + 1), frames.slice(pause + 1)];
    // 20 frames per sender; a listener that joins mid-stream waits for a key frame and may lose a few.
    expect(before.length).toBeGreaterThanOrEqual(12);
    expect(after.length).toBeGreaterThanOrEqual(12);
    expect(source.reconnects).toBeGreaterThanOrEqual(1);

    const pts = frames.map((f) => f.ptsS);
    for (let i = 1; i < pts.length; i++) expect(pts[i]).toBeGreaterThan(pts[i - 1]);
    // pts follow the clock across the pause (within the reconnect's slack).
    expect(after[0].ptsS - before[before.length - 1].ptsS).toBeGreaterThan(1.5);
    // Every frame is either here or counted as dropped (a live reader that falls behind keeps the newest).
    expect(frames.at(-1)?.index).toBe(frames.length + source.droppedFrames - 1);
    for (let i = 1; i < frames.length; i++) expect(frames[i].index).toBeGreaterThan(frames[i - 1].index);

    // Senders excluded, this process's ffmpeg children were the reader's; none is left.
    const readers = [...readerPids].filter((pid) => !senderPids.includes(pid));
    expect(readers.length).toBeGreaterThanOrEqual(2); // the first run and the reconnected one
    for (const pid of readers) expect(isAlive(pid)).toBe(false);
    expect(ffmpegChildPids()).toEqual([]);
  });

  it('close() while waiting on a live stream stops ffmpeg at once', async () => {
    const port = await freeUdpPort();
    const sender = startUdpSender(port, 10);
    const source = await openVideo(`udp://127.0.0.1:${port}`, { timing: TIMING });
    const iterator = source[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    const reader = ffmpegChildPids().filter((pid) => pid !== sender.pid);
    expect(reader).toHaveLength(1);
    await source.close();
    expect(isAlive(reader[0])).toBe(false);
    expect((await iterator.next()).done).toBe(true);
    sender.kill();
    await waitForExit(sender);
    expect(ffmpegChildPids()).toEqual([]);
  });
});
