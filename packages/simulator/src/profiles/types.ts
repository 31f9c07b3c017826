/** The shape of a built-in device profile. */
import type { InterfaceLayout } from '../model/device.js';
import type { Entries } from './common.js';

/** Names of the built-in profiles. */
export type ProfileName = 'mikrotik' | 'cisco' | 'juniper' | 'linux';

/** A kind of device the fleet can simulate, written as code (no recording behind it). */
export interface Profile {
  name: ProfileName;
  /** One line for the README and CLI help. */
  summary: string;
  /** Interfaces for `ports` physical ports (plus the profile's virtual ones). */
  layout(ports: number): InterfaceLayout[];
  /** Every object the device answers, for that layout. */
  entries(layout: readonly InterfaceLayout[]): Entries;
  cpuCount: number;
  memTotalBytes: number;
  /** sysName prefix; the fleet appends the device's number. */
  namePrefix: string;
}
