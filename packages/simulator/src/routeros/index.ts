/**
 * The RouterOS API emulator: routers that speak the binary API (and API-SSL), with RouterOS 6.x,
 * 7.10, 7.16 and 7.18+ profiles, state that evolves with time and fault modes.
 */

export { ethernetMonitor, type MonitorReply, portRate } from './ethernet.js';
export { type RouterOsFleet, type RouterOsFleetOptions, startRouterOsFleet } from './fleet.js';
export { formatRosDuration } from './format.js';
// The subscriber model's DHCP and wireless clients (leases, associations): all of lan-clients.ts.
export * from './lan-clients.js';
export { RouterModel, type RouterModelOptions } from './model.js';
export { type RouterOsProfile, type RouterOsProfileName, routerOsProfiles } from './profiles.js';
export {
  decodeWordLength,
  encodeWordLength,
  parseCommand,
  SentenceParser,
  sentenceBytes,
} from './protocol.js';
export { matches } from './query.js';
export { type RouterOsEmulator, type RouterOsEmulatorOptions, startRouterOsEmulator } from './server.js';
export type { RouterOsFault } from './session.js';
export { ipText, macText, sessionBytes } from './subscriber-tables.js';
export {
  flapStart,
  isFlapping,
  type SessionSpan,
  type SubscriberPlan,
  sessionAddress,
  sessionAt,
  sessionId,
  sessionsBetween,
  type UserIdentity,
  userIdentity,
} from './subscribers.js';
export { menuRows, type Row as RouterOsRow } from './tables.js';
