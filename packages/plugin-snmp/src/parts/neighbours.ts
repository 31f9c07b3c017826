/**
 * Neighbours from LLDP-MIB (lldpRemTable) and CISCO-CDP-MIB (cdpCacheTable), as
 * `facts.neighbours`. Parts of several devices' recordings use odd indexes, so every field is
 * optional and nothing here assumes a well-formed index.
 */
import type { NeighbourFact } from '@ispmonitor/core';
import { indexArcs } from '../oid.js';
import { macValue, textValue } from '../values.js';
import { ifNameOf, oidsUnder, type Part, type PartContext, walk } from './context.js';

const LLDP_REM = '1.0.8802.1.1.2.1.4.1.1';
const LLDP_LOC_PORT_DESC = '1.0.8802.1.1.2.1.3.7.1.4';
const lldp = oidsUnder(LLDP_REM, {
  chassisSubtype: 4,
  chassisId: 5,
  portSubtype: 6,
  portId: 7,
  portDesc: 8,
  sysName: 9,
  sysDesc: 10,
});

function addNeighbours(ctx: PartContext, found: NeighbourFact[]): void {
  ctx.facts.neighbours = [...(ctx.facts.neighbours ?? []), ...found];
}

/** LLDP remote systems; the local port is named from lldpLocPortTable, else from ifName. */
export const lldpPart: Part = {
  name: 'lldp',
  async collect(ctx) {
    const cols = await walk(ctx, [...Object.values(lldp), LLDP_LOC_PORT_DESC], () => 'lldpRemTable');
    const found: NeighbourFact[] = [];
    const indexes = new Set([
      ...(cols.get(lldp.chassisId)?.keys() ?? []),
      ...(cols.get(lldp.sysName)?.keys() ?? []),
    ]);
    for (const index of indexes) {
      const arcs = indexArcs(index);
      const n: NeighbourFact = { protocol: 'lldp' };
      // INDEX { lldpRemTimeMark, lldpRemLocalPortNum, lldpRemIndex }
      if (arcs.length === 3) {
        const port = String(arcs[1]);
        n.localInterface = textValue(cols.get(LLDP_LOC_PORT_DESC)?.get(port)) || ifNameOf(ctx, port);
      }
      const get = (c: string) => cols.get(c)?.get(index);
      const chassis = macValue(get(lldp.chassisId));
      if (chassis) n.remoteId = chassis;
      const name = textValue(get(lldp.sysName));
      if (name) n.remoteName = name;
      const port = textValue(get(lldp.portDesc)) || macValue(get(lldp.portId));
      if (port) n.remoteInterface = port;
      const platform = textValue(get(lldp.sysDesc));
      if (platform) n.remotePlatform = platform;
      found.push(n);
    }
    addNeighbours(ctx, found);
  },
};

const CDP_CACHE = '1.3.6.1.4.1.9.9.23.1.2.1.1';
const cdp = oidsUnder(CDP_CACHE, { address: 4, deviceId: 6, devicePort: 7, platform: 8 });

/** CDP cache entries; index = ifIndex.deviceIndex. */
export const cdpPart: Part = {
  name: 'cdp',
  async collect(ctx) {
    const cols = await walk(ctx, Object.values(cdp), () => 'cdpCacheTable');
    const found: NeighbourFact[] = [];
    for (const [index, vb] of cols.get(cdp.deviceId) ?? []) {
      const arcs = indexArcs(index);
      const n: NeighbourFact = { protocol: 'cdp' };
      if (arcs.length === 2) n.localInterface = ifNameOf(ctx, String(arcs[0]));
      const id = textValue(vb);
      if (id) n.remoteName = id;
      const addr = cols.get(cdp.address)?.get(index)?.value;
      if (Buffer.isBuffer(addr) && addr.length === 4) n.remoteAddress = [...addr].join('.');
      const port = textValue(cols.get(cdp.devicePort)?.get(index));
      if (port) n.remoteInterface = port;
      const platform = textValue(cols.get(cdp.platform)?.get(index));
      if (platform) n.remotePlatform = platform;
      found.push(n);
    }
    addNeighbours(ctx, found);
  },
};
