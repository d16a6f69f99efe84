import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openAlertStore } from '../../src/alerts/index.js';
import { tempDir } from './sightings.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const IDS_BEFORE_KILL = 12;

let dir: string;
beforeAll(() => {
  dir = tempDir('alerts-crash');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('keeps every committed alert, intact, when the writer is SIGKILLed mid-way', async () => {
  const file = path.join(dir, 'crash.db');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'crash-child.ts'), file], {
    cwd: path.join(here, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('close', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.split('\n').length > IDS_BEFORE_KILL) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('close', () => reject(new Error(`child ended before it was killed: ${stderr}`)));
  });
  expect(await exited).toBe('SIGKILL');

  // Only whole lines: the kill may cut the last one.
  const printed = stdout.split('\n').slice(0, -1).map(Number);
  expect(printed.length).toBeGreaterThanOrEqual(IDS_BEFORE_KILL);

  const db = new Database(file);
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(db.pragma('foreign_key_check')).toEqual([]);
  const stored = new Set(db.prepare('SELECT id FROM alerts').pluck().all() as number[]);
  db.close();
  for (const id of printed) expect(stored.has(id)).toBe(true);

  // The store opens again and its alerts read back whole.
  const store = openAlertStore(file, { mustExist: true });
  try {
    for (const id of printed)
      expect(store.evidenceJpeg(id)?.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  } finally {
    store.close();
  }
});
