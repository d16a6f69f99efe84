import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The built CLI, as `npm install` leaves it (`npm test` builds first). */
const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `dustpatrol ARGS` to completion (killed after `timeoutMs`). */
export function runCli(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `dustpatrol ARGS` in the background (for `sim`); stop it with `child.kill()`. */
export function startCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * A user's mistake: exactly one error line on stderr (ours, `dustpatrol: …`, or commander's `error: …`
 * for a bad flag), never a stack trace or "internal error". `alone`: nothing else on stderr either.
 */
export function expectOneCleanLine(stderr: string, { alone = false } = {}): void {
  const lines = stderr.trim().split('\n');
  expect(
    lines.filter((l) => /^(dustpatrol|error): /.test(l)),
    stderr,
  ).toHaveLength(1);
  if (alone) expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toContain('internal error');
}
