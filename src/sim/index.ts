export type { LinkFaults } from './faults.js';
export type { GeoPoint } from './local-frame.js';
export { Simulator, type SimulatorOptions, type SimulatorState, startSimulator } from './simulator.js';
