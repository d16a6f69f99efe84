import { UserError } from '../errors.js';
import { LINK_TIMING, MavLinkConnection, setupSigning } from '../mavlink/index.js';
import { interruptSignal } from './interrupt.js';
import type { SigningSetupOptions } from './signing.js';
import { readSigningKeyFlag } from './signing-key.js';

const MAV_MODE_FLAG_SAFETY_ARMED = 128;

export async function runSigningSetup(opts: SigningSetupOptions): Promise<void> {
  const key = readSigningKeyFlag(opts.signingKey) as Buffer;
  const signal = interruptSignal();
  // Unsigned packets are heard until the vehicle signs: it has no key yet.
  const link = await MavLinkConnection.open(opts.connect, { signing: { key, acceptUnsigned: true } });
  try {
    const peer = await link.waitForVehicle(LINK_TIMING.vehicleDiscoveryTimeoutMs, signal);
    const who = `vehicle ${peer.sysid}/${peer.compid}`;
    if ((peer.baseMode & MAV_MODE_FLAG_SAFETY_ARMED) !== 0)
      throw new UserError(`${who} is armed: disarm it first (ArduPilot refuses a signing key while armed)`);
    const result = await setupSigning(link, { sysid: peer.sysid, compid: peer.compid }, key, { signal });
    process.stdout.write(
      `${who} on ${link.description} signs with the key of ${opts.signingKey} and answers signed ` +
        `requests (${result.tries === 1 ? '1 try' : `${result.tries} tries`}); ` +
        `use --signing-key ${opts.signingKey} from now on\n`,
    );
  } finally {
    await link.close();
  }
}
