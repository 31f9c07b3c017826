/**
 * A well-behaved SNMPv2c agent on loopback that serves a table of OIDs the test may change
 * between polls: GET answers what is there, GETNEXT and GETBULK the next OIDs in order.
 */
import { createSocket } from 'node:dgram';
import { compareOids } from '../../src/oid.js';
import { decodeRequest, response, type Value } from './ber.js';

/** A running table agent: `objects` is read at every request. */
export interface TableAgent {
  port: number;
  objects: Map<string, Value>;
  close(): Promise<void>;
}

const noSuchObject: Value = { type: 'raw', value: Buffer.from([0x80, 0x00]) };

/** Starts an agent serving `objects` on 127.0.0.1 and a free port. */
export async function startTableAgent(objects: Map<string, Value>): Promise<TableAgent> {
  const agent = { objects } as TableAgent;
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    let req: ReturnType<typeof decodeRequest>;
    try {
      req = decodeRequest(msg);
    } catch {
      return;
    }
    const sorted = [...agent.objects.keys()].sort((a, b) => compareOids(a, b));
    const after = (oid: string): [string, Value] => {
      const next = sorted.find((o) => compareOids(o, oid) > 0);
      return next === undefined ? [oid, { type: 'endOfMibView' }] : [next, agent.objects.get(next) as Value];
    };
    const varbinds: Array<[string, Value]> = [];
    if (req.pduType === 0xa0) {
      for (const oid of req.oids) varbinds.push([oid, agent.objects.get(oid) ?? noSuchObject]);
    } else if (req.pduType === 0xa1) {
      for (const oid of req.oids) varbinds.push(after(oid));
    } else if (req.pduType === 0xa5) {
      const cursors = [...req.oids];
      for (let r = 0; r < Math.max(1, req.maxRepetitions); r++) {
        cursors.forEach((oid, k) => {
          const vb = after(oid);
          varbinds.push(vb);
          cursors[k] = vb[0];
        });
      }
    } else return;
    socket.send(response(req.version, req.community, req.requestId, varbinds), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  agent.port = socket.address().port;
  agent.close = () => new Promise<void>((resolve) => socket.close(() => resolve()));
  return agent;
}
