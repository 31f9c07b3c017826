/**
 * `@ispmonitor/plugin-snmp`: the SNMP v1/v2c/v3 driver, trap receiver and discovery.
 */
// Ships the declarations of net-snmp, which some public types name (see types/net-snmp.d.ts).
/// <reference path="../types/net-snmp.d.ts" preserve="true" />

export type { Responder } from './discover.js';
export { type DiscoverOptions, type DiscoverResult, type DiscoveryProgress, discover } from './discover.js';
export { createSnmpDriver, type SnmpDriver, type SnmpDriverOptions } from './driver.js';
export type { EngineState } from './engine-cache.js';
export { SnmpError, SnmpErrorCodes, SnmpErrors } from './errors.js';
export { compareOids } from './oid.js';
export type { DeviceMemory, InterfaceCache } from './parts/context.js';
export { snmp } from './plugin.js';
export { type ProfileName, profileFor } from './profiles.js';
export {
  optionsSchema,
  type SnmpOptions,
  type SnmpSettings,
  type SnmpSettingsInput,
  settingsSchema,
} from './settings.js';
export { startTrapReceiver, type TrapReceiver, type TrapReceiverOptions } from './traps.js';
export { decodeCounter64 } from './values.js';
export type { BulkState } from './walk.js';
