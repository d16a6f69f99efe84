/**
 * time_boot_ms going back by more than this starts a new boot (a vehicle reboot); smaller steps back are
 * packets arriving out of order.
 */
export const REBOOT_BACKSTEP_MS = 2_000;
/** SYSTEM_TIME time_unix_usec before 2001 means the vehicle does not know the date yet (0 on ArduPilot). */
const MIN_VALID_UNIX_US = 978_307_200_000_000;

interface Boot {
  /** time_unix_usec − time_boot_ms·1000 from the latest valid SYSTEM_TIME of this boot. */
  systemOffsetUs: number | null;
  /** min(arrival − time_boot_ms·1000): the least-delayed packet's offset, the fallback. */
  arrivalOffsetUs: number;
  maxBootMs: number;
}

/**
 * Maps the vehicle's boot clock (time_boot_ms) to Unix µs. The vehicle's own clock is the truth: the
 * offset comes from SYSTEM_TIME pairs; before the first one (or without any) it is estimated from the
 * packet that arrived with the least delay. A reboot starts a new boot with its own offset; samples keep
 * the boot they were stamped in, so a later, better offset moves them too.
 */
export class VehicleClock {
  private readonly boots: Boot[] = [];

  /** Notes a boot-stamped packet; returns the boot (index) it belongs to. */
  observe(timeBootMs: number, arrivalUs: number): number {
    const arrivalOffsetUs = arrivalUs - timeBootMs * 1000;
    const current = this.boots.at(-1);
    if (!current || timeBootMs < current.maxBootMs - REBOOT_BACKSTEP_MS) {
      this.boots.push({ systemOffsetUs: null, arrivalOffsetUs, maxBootMs: timeBootMs });
      return this.boots.length - 1;
    }
    current.arrivalOffsetUs = Math.min(current.arrivalOffsetUs, arrivalOffsetUs);
    current.maxBootMs = Math.max(current.maxBootMs, timeBootMs);
    return this.boots.length - 1;
  }

  /** Notes a SYSTEM_TIME; returns its boot, as `observe`. */
  observeSystemTime(timeUnixUs: bigint, timeBootMs: number, arrivalUs: number): number {
    const boot = this.observe(timeBootMs, arrivalUs);
    if (timeUnixUs >= BigInt(MIN_VALID_UNIX_US)) {
      this.boots[boot].systemOffsetUs = Number(timeUnixUs) - timeBootMs * 1000;
    }
    return boot;
  }

  /** Unix µs of a time on a boot's clock (µs since that boot). */
  toUnixUs(boot: number, bootUs: number): number {
    const b = this.boots[boot];
    return (b.systemOffsetUs ?? b.arrivalOffsetUs) + bootUs;
  }

  /** Whether the boot's times come from SYSTEM_TIME (true) or from arrival times (false). */
  hasSystemTime(boot: number): boolean {
    return this.boots[boot]?.systemOffsetUs != null;
  }
}
