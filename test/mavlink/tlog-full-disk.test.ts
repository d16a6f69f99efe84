// A flight's tlog on a disk that fills mid-flight and has room again later: the writer drops the packets
// it cannot write (it says so, once, and once more when it writes again), never throws into the link, and
// leaves a log whose every record is whole. Two real full disks: /dev/full (every write fails with
// ENOSPC; no privilege needed), and a 64 KiB tmpfs in a private mount namespace (unshare -rm, where user
// namespaces are allowed; skipped elsewhere) that a filler file fills and its removal frees.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TlogWriter } from '../../src/mavlink/index.js';
import { REPO_ROOT } from '../helpers/cli.js';

const canMount = (() => {
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-mount-probe-'));
  const r = spawnSync('unshare', ['-rm', 'mount', '-t', 'tmpfs', '-o', 'size=64k', 'none', probe]);
  fs.rmSync(probe, { recursive: true });
  return r.status === 0;
})();

it('on /dev/full: every packet is dropped and counted, the trouble told once, nothing thrown', () => {
  const told: string[] = [];
  const writer = new TlogWriter('/dev/full', {
    onTrouble: (failing, err) => told.push(failing ? `failing: ${err?.code}` : 'writing again'),
  });
  for (let i = 0; i < 50; i++) writer.write(Date.now() * 1000, Buffer.alloc(40, i));
  writer.close();
  expect(told).toEqual(['failing: ENOSPC']);
  expect(writer).toMatchObject({ packets: 0, lostPackets: 50 });
});

it('without onTrouble a failed write throws, as before (a tool that records to a file it was told to)', () => {
  const writer = new TlogWriter('/dev/full');
  expect(() => writer.write(0, Buffer.alloc(40))).toThrow(/ENOSPC/);
  writer.close();
});

describe.skipIf(!canMount)('on a tmpfs that fills and has room again', () => {
  it('drops what does not fit, writes on once there is room, and every record in the log is whole', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-tlog-full-'));
    const disk = path.join(dir, 'disk');
    fs.mkdirSync(disk);
    // Runs in the namespace: 400 heartbeats, the disk full from the 100th to the 250th; then the log
    // read back with the same reader replay uses.
    const script = `
      import fs from 'node:fs';
      import { minimal } from 'node-mavlink';
      import { TlogWriter, countTlogPackets } from '${REPO_ROOT}/dist/mavlink/index.js';
      import { FrameEncoder } from '${REPO_ROOT}/dist/mavlink/codec.js';
      const frame = new FrameEncoder(1, 1).encode(new minimal.Heartbeat());
      const disk = process.env.DISK;
      const told = [];
      const writer = new TlogWriter(disk + '/flight.tlog', {
        onTrouble: (failing, err) => told.push(failing ? 'failing: ' + err.code : 'writing again'),
      });
      const filler = disk + '/filler';
      for (let i = 0; i < 400; i++) {
        if (i === 100) {
          try { fs.writeFileSync(filler, Buffer.alloc(64 * 1024)); } catch {}
        }
        if (i === 250) fs.rmSync(filler);
        writer.write(1_700_000_000_000_000 + i * 100_000, frame);
      }
      writer.close();
      let summary;
      try { summary = countTlogPackets(disk + '/flight.tlog'); } catch (err) { summary = { error: err.message }; }
      console.log(JSON.stringify({ told, packets: writer.packets, lost: writer.lostPackets,
        records: summary.records, skippedBytes: summary.skippedBytes, truncatedTail: summary.truncatedTail,
        size: fs.statSync(disk + '/flight.tlog').size, recordBytes: 8 + frame.length }));
    `;
    const r = spawnSync(
      'unshare',
      [
        '-rm',
        'sh',
        '-c',
        `mount -t tmpfs -o size=64k none "$DISK" && "${process.execPath}" --input-type=module -e "$SCRIPT"`,
      ],
      { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, DISK: disk, SCRIPT: script } },
    );
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.told).toEqual(['failing: ENOSPC', 'writing again']);
    expect(out.lost).toBeGreaterThan(0);
    expect(out.packets + out.lost).toBe(400);
    expect(out.packets).toBeGreaterThanOrEqual(250);
    // Whole records only: nothing skipped, no cut tail, the file exactly its records.
    expect(out).toMatchObject({ records: out.packets, skippedBytes: 0, truncatedTail: null });
    expect(out.size).toBe(out.packets * out.recordBytes);
  });
});
