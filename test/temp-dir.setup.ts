import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Every test run gets one scratch folder as TMPDIR (workers inherit it), removed when the run ends,
 * so the temporary files tests and the CLI under test make never pile up in /tmp.
 */
export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-test-'));
  process.env.TMPDIR = dir;
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
