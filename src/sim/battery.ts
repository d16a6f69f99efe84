/** LiPo open-circuit cell voltage by state of charge (fraction full), the usual discharge curve. */
const CELL_CURVE: ReadonlyArray<readonly [number, number]> = [
  [0, 3.3],
  [0.05, 3.5],
  [0.1, 3.6],
  [0.2, 3.7],
  [0.5, 3.8],
  [0.8, 3.95],
  [1, 4.2],
];
const CELLS = 4;
const INTERNAL_RESISTANCE_OHM = 0.02;

export interface BatteryOptions {
  capacityMah: number;
  /** Full-to-empty hover time, in sim seconds: the hover current is capacity / enduranceS. */
  enduranceS: number;
}

/**
 * A 4S LiPo pack that drains with the motors' effort (thrust over hover thrust, src/energy.ts) over
 * sim time, its current the hover current times the effort, as ArduPilot SITL draws it; consumed mAh
 * is that current integrated, as ArduPilot's current monitor (BATT_MONITOR 4) counts it. Unlike
 * SITL's default pack (SIM_BATT_CAP_AH 0: a steady 12.6 V), its voltage follows the charge and sags
 * under load.
 */
export class Battery {
  consumedMah = 0;
  currentA = 0;

  constructor(private readonly options: BatteryOptions) {}

  get remainingMah(): number {
    return Math.max(0, this.options.capacityMah - this.consumedMah);
  }

  get percent(): number {
    return (100 * this.remainingMah) / this.options.capacityMah;
  }

  /** Terminal voltage: the open-circuit curve less the sag under the present current. */
  get voltageV(): number {
    const soc = this.remainingMah / this.options.capacityMah;
    let i = 1;
    while (i < CELL_CURVE.length - 1 && CELL_CURVE[i][0] < soc) i++;
    const [s0, v0] = CELL_CURVE[i - 1];
    const [s1, v1] = CELL_CURVE[i];
    const cellV = v0 + ((v1 - v0) * (soc - s0)) / (s1 - s0);
    return CELLS * cellV - this.currentA * INTERNAL_RESISTANCE_OHM;
  }

  step(dtS: number, effort: number): void {
    const hoverCurrentA = this.options.capacityMah / 1000 / (this.options.enduranceS / 3600);
    this.currentA = hoverCurrentA * effort;
    this.consumedMah = Math.min(
      this.options.capacityMah,
      this.consumedMah + (this.currentA * dtS * 1000) / 3600,
    );
  }

  setPercent(percent: number): void {
    const clamped = Math.min(100, Math.max(0, percent));
    this.consumedMah = this.options.capacityMah * (1 - clamped / 100);
  }
}
