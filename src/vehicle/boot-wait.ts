import { minimal } from 'node-mavlink';
import type { Clock } from '../clock.js';
import { CancelledError } from '../errors.js';
import { LINK_TIMING, MissionTransferError } from '../mavlink/index.js';
import type { Vehicle } from './vehicle.js';

const MAV_STATE_BOOT = minimal.MavState.BOOT;

/** Resolves once the vehicle's heartbeat no longer says MAV_STATE_BOOT (at once if it never did). */
export async function waitForBoot(vehicle: Vehicle, signal?: AbortSignal): Promise<void> {
  await vehicle.waitUntil((s) => s.systemStatus !== MAV_STATE_BOOT, {
    timeoutMs: LINK_TIMING.vehicleBootTimeoutMs,
    what: 'booted (its heartbeat still says MAV_STATE_BOOT)',
    signal,
  });
}

/**
 * Runs `upload` once the vehicle has booted. ArduPilot refuses an upload with MAV_MISSION_NO_SPACE
 * until its mission storage is ready, so that refusal is retried a few times before it stands.
 */
export async function uploadWhenBooted<T>(
  vehicle: Vehicle,
  upload: () => Promise<T>,
  signal?: AbortSignal,
  clock: Clock = vehicle.clock,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    await waitForBoot(vehicle, signal);
    try {
      return await upload();
    } catch (err) {
      const noSpace = err instanceof MissionTransferError && err.resultName === 'NO_SPACE';
      if (!noSpace || retry >= LINK_TIMING.bootUploadRetries) throw err;
    }
    await pause(LINK_TIMING.bootUploadRetryDelayMs, clock, signal);
  }
}

function pause(delayMs: number, clock: Clock, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError('the upload'));
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(new CancelledError('the upload'));
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
