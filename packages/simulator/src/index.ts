/**
 * `@ispmonitor/simulator`: simulated devices for demos, tests and benchmarks. The SNMP fleet
 * serves thousands of v1/v2c agents from one process, from built-in profiles or `.snmprec` files.
 */

export type { Outcome } from './agent.js';
export { type AgentStats, handleDatagram, type ServedDevice } from './agent.js';
export { realClock, type SimClock } from './clock.js';
export {
  type ControlledDevice,
  type ControlServer,
  type ControlServerOptions,
  startControlServer,
} from './control.js';
export {
  createDemoFleet,
  DEMO_TIMELINE,
  type DemoFleet,
  type DemoFleetOptions,
  type DemoNode,
  type DemoProblem,
  planDemoNetwork,
} from './demo.js';
export {
  DEMO_BNG_LOGIN,
  DEMO_BNG_SIZE,
  type DemoBng,
  type DemoBngOptions,
  type DemoBngs,
  demoBngCount,
  demoBngModelOptions,
  planDemoBngs,
  startDemoBngs,
} from './demo-bngs.js';
export { type DemoFleetHistoryOptions, demoFleetHistory } from './demo-history.js';
export {
  type FleetDevice,
  type SnmpAgent,
  type SnmpAgentOptions,
  type SnmpFleet,
  type SnmpFleetOptions,
  startSnmpAgent,
  startSnmpFleet,
} from './fleet.js';
export * from './history/index.js';
export {
  type InterfaceLayout,
  type InterfaceState,
  SimDevice,
  type SimDeviceOptions,
} from './model/device.js';
export type { FaultPlan, Faults } from './model/faults.js';
export type { Rng } from './model/random.js';
export type { TrafficCurve } from './model/traffic.js';
export type { Entries } from './profiles/common.js';
// The device profiles: the table, getProfile, profileView and their types (all of profiles/index.ts).
export * from './profiles/index.js';
export * from './routeros/index.js';
export type { Command } from './routeros/protocol.js';
export type { Row } from './routeros/query.js';
export type { EntryInput, MibEntry, ValueFn } from './snmp/mib.js';
export { MibView } from './snmp/mib.js';
export type { SkippedLine } from './snmprec.js';
export { loadSnmprec, parseSnmprec, type Recording } from './snmprec.js';
