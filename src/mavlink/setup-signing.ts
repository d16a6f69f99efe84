import { common, minimal, standard } from 'node-mavlink';
import { TimeoutError, UserError } from '../errors.js';
import { LINK_TIMING } from '../timing.js';
import { CommandRejectedError, sendCommand } from './command-client.js';
import type { MavLinkConnection } from './link.js';
import type { Target } from './target.js';

export interface SetupSigningOptions {
  signal?: AbortSignal;
  /** How long each try waits for a heartbeat signed with the key (default LINK_TIMING). */
  timeoutMs?: number;
  /** Tries after the first (default LINK_TIMING). */
  retries?: number;
}

export interface SetupSigningResult {
  /** SETUP_SIGNING messages sent. */
  tries: number;
  /** The initial timestamp given to the vehicle, ticks of 10 µs since 2015. */
  initialTicks: number;
}

/**
 * Gives `target` the signing key with SETUP_SIGNING (sent to it alone, never broadcast) and proves it
 * took it: its next heartbeat must arrive signed with the key, and a signed request (REQUEST_MESSAGE)
 * must be answered. The link signs with the key from the start and hears unsigned packets only until
 * the vehicle signs; it is left signing with the key. Each try waits `timeoutMs` for the signed
 * heartbeat (a vehicle beats at 1 Hz), `retries` more tries resend SETUP_SIGNING; then it fails, naming
 * what the vehicle said about signing (ArduPilot: "ERROR: Won't setup signing when armed").
 */
export async function setupSigning(
  link: MavLinkConnection,
  target: Target,
  key: Buffer,
  options: SetupSigningOptions = {},
): Promise<SetupSigningResult> {
  const { signal } = options;
  const timeoutMs = options.timeoutMs ?? LINK_TIMING.signingSetupTimeoutMs;
  const retries = options.retries ?? LINK_TIMING.signingSetupRetries;
  const who = `vehicle ${target.sysid}/${target.compid}`;
  const texts: string[] = [];
  const stopTexts = link.onMessage((rx) => {
    if (rx.message instanceof common.StatusText && rx.sysid === target.sysid) texts.push(rx.message.text);
  });
  link.setSigning({ key, acceptUnsigned: true });
  try {
    for (let attempt = 0; attempt <= retries; attempt++) {
      const initialTicks = (link.signing as NonNullable<typeof link.signing>).timestampTicks;
      link.send(setupMessage(target, key, initialTicks));
      try {
        await link.waitFor(minimal.Heartbeat, (_, rx) => rx.signed === true && isFrom(rx, target), {
          timeoutMs,
          signal,
          what: `${who} signing with the key`,
        });
      } catch (err) {
        if (err instanceof TimeoutError) continue;
        throw err;
      }
      // It signs; from now on only signed packets count, and a signed request must be answered.
      link.setSigning({ key });
      await confirmSignedRequest(link, target, signal);
      return { tries: attempt + 1, initialTicks };
    }
  } finally {
    stopTexts();
  }
  const said = texts.filter((t) => /sign/i.test(t)).at(-1);
  throw new TimeoutError(
    `${who} on ${link.description} did not sign with the key after ${retries + 1} SETUP_SIGNING ` +
      `(${timeoutMs / 1000} s each)${said ? `: it said '${said}'` : ''}`,
  );
}

function setupMessage(target: Target, key: Buffer, initialTicks: number): common.SetupSigning {
  const m = new common.SetupSigning();
  m.targetSystem = target.sysid;
  m.targetComponent = target.compid;
  m.secretKey = [...key];
  m.initialTimestamp = BigInt(initialTicks);
  return m;
}

function isFrom(rx: { sysid: number; compid: number }, target: Target): boolean {
  return rx.sysid === target.sysid && rx.compid === target.compid;
}

/** A signed REQUEST_MESSAGE answered by a (signed) COMMAND_ACK, whatever its result. */
async function confirmSignedRequest(link: MavLinkConnection, target: Target, signal?: AbortSignal) {
  try {
    await sendCommand(link, target, common.MavCmd.REQUEST_MESSAGE, [standard.AutopilotVersion.MSG_ID], {
      signal,
      clock: link.clock,
    });
  } catch (err) {
    if (err instanceof CommandRejectedError) return;
    if (err instanceof TimeoutError)
      throw new UserError(
        `vehicle ${target.sysid}/${target.compid} signs with the key but did not answer a signed request: ${err.message}`,
      );
    throw err;
  }
}
