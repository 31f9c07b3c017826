import type {
  Bus,
  DhcpLeaseFact,
  InterfaceFact,
  InventoryFacts,
  NeighbourFact,
  PppoeSessionFact,
  SystemFact,
  WirelessClientFact,
} from '@ispmonitor/core';

/** An interface with the device it belongs to; `id` is `<device>:<index>`. */
export interface InterfaceRow extends InterfaceFact {
  id: string;
  device: string;
}

export interface PppoeRow extends PppoeSessionFact {
  device: string;
}

export interface DhcpRow extends DhcpLeaseFact {
  device: string;
}

export interface WirelessRow extends WirelessClientFact {
  device: string;
}

export interface NeighbourRow extends NeighbourFact {
  device: string;
}

/** A page of rows and how many matched in all. */
export interface Page<T> {
  items: T[];
  total: number;
}

export interface ListFilter {
  device?: string;
  /** Case-insensitive substring over the row's names and addresses. */
  search?: string;
  limit: number;
  offset: number;
}

/**
 * What the API reads about inventory facts. The Postgres plugin's read store answers this from
 * its tables; until it is present the server answers from the facts of the latest polls.
 */
export interface InventoryRead {
  interfaces(filter: ListFilter & { operUp?: boolean }): Promise<Page<InterfaceRow>>;
  neighbours(): Promise<NeighbourRow[]>;
  pppoe(filter: ListFilter): Promise<Page<PppoeRow>>;
  dhcp(filter: ListFilter): Promise<Page<DhcpRow>>;
}

type Item<K extends keyof InventoryFacts> = NonNullable<InventoryFacts[K]> extends Array<infer T> ? T : never;

const matches = (search: string | undefined, ...fields: Array<string | undefined>) => {
  if (!search) return true;
  const needle = search.toLowerCase();
  return fields.some((f) => f?.toLowerCase().includes(needle));
};

function page<T>(rows: T[], filter: ListFilter): Page<T> {
  return { items: rows.slice(filter.offset, filter.offset + filter.limit), total: rows.length };
}

/** The latest facts in memory: everything `InventoryRead` has, plus what storage does not keep. */
export interface FactsCache extends InventoryRead {
  wireless(filter: ListFilter): Promise<Page<WirelessRow>>;
  system(device: string): SystemFact | undefined;
  close(): void;
}

/**
 * Inventory facts from the `facts` bus event: the latest facts of each device. A missing kind of
 * fact in a poll keeps what the previous poll learned (a missing key means "not collected").
 */
export function factsCache(bus: Bus): FactsCache {
  const byDevice = new Map<string, InventoryFacts>();
  const offs = [
    bus.on('facts', ({ device, facts }) => {
      byDevice.set(device.id, { ...byDevice.get(device.id), ...facts });
    }),
    bus.on('device:removed', ({ device }) => void byDevice.delete(device.id)),
  ];
  function* rows<K extends keyof InventoryFacts>(key: K, device?: string): Generator<[string, Item<K>]> {
    const entries = device ? [[device, byDevice.get(device)] as const] : byDevice.entries();
    for (const [id, facts] of entries) {
      for (const row of (facts?.[key] ?? []) as Array<Item<K>>) yield [id, row];
    }
  }
  return {
    async interfaces(filter) {
      const out: InterfaceRow[] = [];
      for (const [device, f] of rows('interfaces', filter.device)) {
        if (filter.operUp !== undefined && f.operUp !== filter.operUp) continue;
        if (!matches(filter.search, f.name, f.alias, f.description, f.mac)) continue;
        out.push({ ...f, id: `${device}:${f.index}`, device });
      }
      return page(out, filter);
    },
    async neighbours() {
      return [...rows('neighbours')].map(([device, n]) => ({ ...n, device }));
    },
    async pppoe(filter) {
      const out: PppoeRow[] = [];
      for (const [device, s] of rows('pppoeSessions', filter.device)) {
        if (matches(filter.search, s.user, s.address, s.callerId)) out.push({ ...s, device });
      }
      return page(out, filter);
    },
    async dhcp(filter) {
      const out: DhcpRow[] = [];
      for (const [device, l] of rows('dhcpLeases', filter.device)) {
        if (matches(filter.search, l.mac, l.address, l.hostName)) out.push({ ...l, device });
      }
      return page(out, filter);
    },
    async wireless(filter) {
      const out: WirelessRow[] = [];
      for (const [device, c] of rows('wirelessClients', filter.device)) {
        if (matches(filter.search, c.mac, c.interface)) out.push({ ...c, device });
      }
      return page(out, filter);
    },
    system: (device) => byDevice.get(device)?.system,
    close: () => {
      for (const off of offs) off();
    },
  };
}
