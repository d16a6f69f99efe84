import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** A `dustpatrol serve` child as a test drives it: its process, what it printed, where it listens. */
export interface DaemonUnderTest {
  process(): ChildProcess | null;
  stderr(): string;
  baseUrl(): string;
  token: string;
}

/** HTTP calls to the daemon with the test's token, and a wait that fails at once if the daemon died. */
export function daemonApi(daemon: DaemonUnderTest) {
  async function api(route: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${daemon.baseUrl()}${route}`, {
      method: body ? 'POST' : 'GET',
      headers: { Authorization: `Bearer ${daemon.token}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, json: await res.json() };
  }

  /** Polls `condition` (a failed request counts as false) until it holds or `timeoutMs` passes. */
  async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const child = daemon.process();
      if (child?.exitCode !== null) {
        throw new Error(`the daemon exited (${child?.exitCode}):\n${daemon.stderr()}`);
      }
      if (
        await Promise.resolve()
          .then(condition)
          .catch(() => false)
      )
        return;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}:\n${daemon.stderr().slice(-4000)}`);
      await sleep(200);
    }
  }

  return { api, until };
}
