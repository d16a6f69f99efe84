export type { GeoPoint } from '../geo/index.js';
export * from './camera/index.js';
export type { LinkFaults } from './faults.js';
export {
  type SimTruePose,
  Simulator,
  type SimulatorOptions,
  type SimulatorState,
  startSimulator,
} from './simulator.js';
