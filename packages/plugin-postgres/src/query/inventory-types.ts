import type { DeviceStatus, SystemFact } from '@ispmonitor/core';

// The rows the inventory reads answer: types only, so the package index can export them all.

/** A device as storage knows it: its stored definition, system facts and last status. */
export interface StoredDevice {
  id: string;
  system?: SystemFact;
  systemUpdatedAt?: number;
  status?: DeviceStatus;
  statusSince?: number;
  /** True when the device was added through the API (its definition is in the store). */
  stored: boolean;
}

export interface InterfaceRow {
  device: string;
  index: string;
  name: string;
  alias: string | null;
  description: string | null;
  type: string | null;
  mac: string | null;
  speedBps: number | null;
  adminUp: boolean | null;
  operUp: boolean | null;
  firstSeen: number;
  lastSeen: number;
  endedAt: number | null;
}

export interface NeighbourRow {
  device: string;
  protocol: string;
  localInterface: string | null;
  remoteName: string | null;
  remoteId: string | null;
  remoteAddress: string | null;
  remoteInterface: string | null;
  remotePlatform: string | null;
  firstSeen: number;
  lastSeen: number;
  endedAt: number | null;
}

/** A topology edge: a current neighbour, resolved to a device of ours when its name or address matches. */
export interface LinkRow {
  from: string;
  localInterface: string | null;
  to: string | null;
  remoteName: string | null;
  remoteInterface: string | null;
  protocol: string;
}

export interface SessionRow {
  id: number;
  device: string;
  user: string;
  address: string | null;
  callerId: string | null;
  service: string | null;
  interface: string | null;
  startedAt: number;
  lastSeen: number;
  endedAt: number | null;
}

export interface LeaseRow {
  id: number;
  device: string;
  address: string;
  mac: string;
  hostName: string | null;
  server: string | null;
  status: string | null;
  /** When the lease expires, as last written (at the router's checkpoint); null when unknown. */
  expiresAt: number | null;
  firstSeen: number;
  lastSeen: number;
  endedAt: number | null;
}

/** Filters of a session or lease search; all optional, combined with AND. */
export interface HistorySearch {
  device?: string;
  /** PPPoE user name (case-insensitive, exact). */
  user?: string;
  /** MAC address: caller id of a session, or the lease's MAC (case-insensitive). */
  mac?: string;
  address?: string;
  /** Only rows current now (true), only ended ones (false), or both (undefined). */
  current?: boolean;
  /** Rows active at some time in [from, to]. */
  from?: number;
  to?: number;
  /** Default 100, at most 10,000. */
  limit?: number;
}
