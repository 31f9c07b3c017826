// What a router runs, read from its sysDescr (SNMP) or the description the RouterOS driver builds,
// so an SNMP router and a RouterOS one show the same fields. Written from the strings of real
// recordings (../shared/data) and the vendors' documented formats.

import type { SystemFact } from '@ispmonitor/core';

/** Operating system, version and model of a router, each only when the text says it. */
export interface OsInfo {
  vendor?: string;
  /** `RouterOS`, `IOS`, `IOS-XE`, `IOS XR`, `NX-OS`, `Junos`, `EdgeOS`, `VyOS`, `EOS`, `VRP`, `Linux`… */
  os?: string;
  version?: string;
  model?: string;
}

/** Vendors by the enterprise number of sysObjectID (1.3.6.1.4.1.<n>…), for when the text says nothing. */
const ENTERPRISES: Record<string, string> = {
  '9': 'Cisco',
  '2636': 'Juniper',
  '14988': 'MikroTik',
  '41112': 'Ubiquiti',
  '4413': 'Ubiquiti',
  '2011': 'Huawei',
  '30065': 'Arista',
  '44641': 'VyOS',
  '8072': 'net-snmp',
};

/** The vendor of a sysObjectID, when its enterprise number is one we know. */
export function vendorOfObjectId(objectId: string | undefined): string | undefined {
  const m = /^\.?1\.3\.6\.1\.4\.1\.(\d+)/.exec(objectId ?? '');
  return m ? ENTERPRISES[m[1] as string] : undefined;
}

/** sysDescr as recordings hold it: sometimes quoted, lines split by CR/LF, padded. */
const clean = (text: string) =>
  text
    .replace(/^\s*"|"\s*$/g, '')
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();

const pick = (m: RegExpExecArray | null, i = 1) => m?.[i]?.trim() || undefined;

function cisco(text: string): OsInfo {
  const version = pick(/\bVersion\s+([^\s,]+)/i.exec(text));
  const major = Number.parseInt(version ?? '', 10);
  if (/\bNX-OS\b/i.test(text)) {
    return { vendor: 'Cisco', os: 'NX-OS', version, model: pick(/NX-OS\(tm\)\s+([^\s,]+)/i.exec(text)) };
  }
  if (/\bIOS[ -]?XR\b/i.test(text)) {
    return {
      vendor: 'Cisco',
      os: 'IOS XR',
      version: version?.replace(/\[.*$/, ''),
      model: pick(/\(Cisco\s+([^)]+)\)/.exec(text)),
    };
  }
  // IOS-XE says so ("IOS-XE Software", "[IOSXE]"), or gives away a release train name in
  // brackets ("[Fuji]", "[Amsterdam]") and versions 16 and up; classic IOS stops at 15.
  const xe = /IOS[ -]?XE/i.test(text) || /Cisco IOS Software \[[A-Za-z]+\]/.test(text) || major >= 16;
  // The platform is the word(s) before "Software (IMAGE)": "C2950", "c8000aep", "Catalyst L3 Switch".
  const platform = pick(
    /(?:IOS \(tm\)|Software(?: \[[^\]]*\])?,)\s+(?:IOS-XE Software,\s+)?([^,()]+?)\s+Software\s*\(/i.exec(
      text,
    ),
  );
  return { vendor: 'Cisco', os: xe ? 'IOS-XE' : 'IOS', version, model: platform };
}

const RULES: Array<{ test: RegExp; parse: (text: string) => OsInfo }> = [
  {
    // "RouterOS RB750Gr3" (SNMP), "RouterOS 7.16 (stable) arm64" (the RouterOS driver).
    test: /^RouterOS\b/i,
    parse: (t) => {
      const rest = t.replace(/^RouterOS\s*/i, '');
      const v = /^(\d+(?:\.\d+)+(?:\s*\([a-z]+\))?)/i.exec(rest);
      if (v) return { vendor: 'MikroTik', os: 'RouterOS', version: v[1] };
      return { vendor: 'MikroTik', os: 'RouterOS', model: rest.split(' ')[0] || undefined };
    },
  },
  { test: /\bCisco\b|\bIOS \(tm\)/i, parse: cisco },
  {
    // "Juniper Networks, Inc. srx100h2 internet router, kernel JUNOS 12.3X48-D35.7, Build date: …"
    test: /\bJUNOS\b|Juniper Networks/i,
    parse: (t) => ({
      vendor: 'Juniper',
      os: 'Junos',
      version: pick(/\bJUNOS\s+([^\s,]+)/i.exec(t)),
      model: pick(/Juniper Networks, Inc\.\s+([^\s,]+)/i.exec(t)),
    }),
  },
  {
    // "EdgeOS v2.0.9-hotfix.2.5402463.210511.1317" (Ubiquiti EdgeRouter): the release is the
    // part before the build number.
    test: /^EdgeOS\b/i,
    parse: (t) => ({
      vendor: 'Ubiquiti',
      os: 'EdgeOS',
      version: pick(/^EdgeOS\s+v?(\d+\.\d+(?:\.\d+)?(?:[-+]hotfix\.\d+)?)/i.exec(t)),
      model: pick(/\b(ER-[A-Za-z0-9-]+|EdgeRouter[A-Za-z0-9 -]*?)(?:\s|$)/.exec(t)),
    }),
  },
  {
    test: /^VyOS\b/i,
    parse: (t) => ({ vendor: 'VyOS', os: 'VyOS', version: pick(/^VyOS\s+(\S+)/i.exec(t)) }),
  },
  {
    // "Arista Networks EOS version 4.22.1F running on an Arista Networks DCS-7050SX-64"
    test: /Arista Networks EOS/i,
    parse: (t) => ({
      vendor: 'Arista',
      os: 'EOS',
      version: pick(/EOS version\s+(\S+)/i.exec(t)),
      model: pick(/running on an Arista Networks\s+(\S+)/i.exec(t)),
    }),
  },
  {
    // "Huawei Versatile Routing Platform Software VRP (R) software, Version 8.180 (NE40E V800R011C00SPC200)"
    test: /Huawei Versatile Routing Platform|\bVRP \(R\)/i,
    parse: (t) => ({
      vendor: 'Huawei',
      os: 'VRP',
      version: pick(/Version\s+([^\s,]+)/i.exec(t)),
      model: pick(/Version\s+[^\s,]+\s+\(([A-Za-z0-9-]+)\s/i.exec(t)),
    }),
  },
  {
    // "Linux gw 6.1.0-28-amd64 #1 SMP …": the kernel release is what the text gives.
    test: /^Linux\s/,
    parse: (t) => ({ os: 'Linux', version: pick(/^Linux\s+\S+\s+(\S+)/.exec(t)) }),
  },
  {
    test: /^FreeBSD\s/,
    parse: (t) => ({ os: 'FreeBSD', version: pick(/^FreeBSD\s+\S+\s+(\S+)/.exec(t)) }),
  },
];

/**
 * OS, version and model from a sysDescr (and the vendor from sysObjectID when the text does not
 * name one). Unknown text gives only what the object id says; nothing here throws.
 */
export function parseSysDescr(descr: string | undefined, objectId?: string): OsInfo {
  const text = clean(typeof descr === 'string' ? descr.slice(0, 2048) : '');
  const byId = vendorOfObjectId(objectId);
  const rule = RULES.find((r) => r.test.test(text));
  const found: OsInfo = rule ? rule.parse(text) : {};
  // A MikroTik whose sysDescr is just its identity ("router") still runs RouterOS.
  if (!rule && byId === 'MikroTik') found.os = 'RouterOS';
  const out: OsInfo = {};
  const vendor = found.vendor ?? byId;
  if (vendor) out.vendor = vendor;
  if (found.os) out.os = found.os;
  if (found.version) out.version = found.version;
  if (found.model) out.model = found.model;
  return out;
}

/**
 * A router's system facts as the API shows them: what the driver said, completed by what its
 * description says (the RouterOS driver names the board and version itself; SNMP gives only
 * sysDescr). What the driver said wins.
 */
export function systemView(fact: SystemFact): SystemFact & { os?: string } {
  const parsed = parseSysDescr(fact.description, fact.objectId);
  const out: SystemFact & { os?: string } = { ...fact };
  if (parsed.os) out.os = parsed.os;
  if (!out.vendor && parsed.vendor) out.vendor = parsed.vendor;
  if (!out.model && parsed.model) out.model = parsed.model;
  if (!out.version && parsed.version) out.version = parsed.version;
  return out;
}
