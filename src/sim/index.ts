export type { GeoPoint } from '../geo/index.js';
export type { LinkFaults } from './faults.js';
export { Simulator, type SimulatorOptions, type SimulatorState, startSimulator } from './simulator.js';
