// OID decoding alone, no network: net-snmp's stock BER readOID against ours (src/ber-oid.ts) on
// 1,000 interface-table OIDs, each string used afterwards (as the walker does) so that lazily
// built strings are paid for. Prints ns per OID for both, alternating, with the load average.
// Run: npx tsc -b packages/plugin-snmp && node bench/snmp/oid.mjs
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import {
  berReaderClass,
  installFastOidReader,
  stockOidReader,
} from '../../packages/plugin-snmp/dist/ber-oid.js';

const { Ber } = createRequire(createRequire(import.meta.url).resolve('net-snmp'))('asn1-ber');
const writer = new Ber.Writer();
const count = 1000;
for (let c = 1; c <= 20; c++)
  for (let i = 1; i <= count / 20; i++) writer.writeOID(`1.3.6.1.2.1.31.1.1.1.${c}.${i * 37 + 10000}`);
const encoded = writer.buffer;
const Reader = berReaderClass();
if (!installFastOidReader()) throw new Error('fast OID reader not installed');
const readers = { stock: stockOidReader(), ours: Reader.prototype.readOID };

function nsPerOid(read, rounds) {
  let sink = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    const reader = new Reader(encoded);
    for (let j = 0; j < count; j++) {
      const oid = read.call(reader);
      sink += oid.charCodeAt(oid.length - 1) + (oid.startsWith('1.3.6.1.2.1.31.1.1.1.') ? 1 : 0);
    }
  }
  if (sink === 0) throw new Error('nothing decoded');
  return ((performance.now() - t0) * 1e6) / (rounds * count);
}

for (let round = 0; round < 5; round++) {
  const line = Object.entries(readers).map(
    ([name, read]) => `${name} ${nsPerOid(read, 2000).toFixed(0)} ns/OID`,
  );
  console.log(line.join(', '));
}
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
