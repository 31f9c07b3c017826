/**
 * Answers one decoded request from a MIB view: Get, GetNext and GetBulk with the semantics of
 * RFC 3416 §4.2 for v2c (noSuchObject / noSuchInstance / endOfMibView, bulk truncation at the
 * size limit) and RFC 1157 §4.1 for v1 (noSuchName errors, no Counter64).
 */
import { Tag } from './ber.js';
import {
  ErrorStatus,
  encodeResponse,
  PduType,
  responseOverhead,
  type SnmpRequest,
  SnmpVersion,
} from './message.js';
import { encodeName, type MibEntry, type MibView, varbind } from './mib.js';
import { END_OF_MIB_VIEW, NO_SUCH_INSTANCE, NO_SUCH_OBJECT, NULL_VALUE } from './values.js';

/** Limits of one agent. */
export interface ResponderLimits {
  /** Largest message the agent sends; a bigger Get/GetNext reply becomes tooBig. */
  maxMessageSize: number;
}

/** A response and how many varbinds with real values it carried. */
export interface Answer {
  reply: Buffer;
  varbinds: number;
}

/** Varbind for `entry`, or undefined when its value function has nothing now. */
function render<C>(entry: MibEntry<C>, ctx: C): Buffer | undefined {
  if (Buffer.isBuffer(entry.value)) return entry.value;
  const v = entry.value(ctx);
  return v === undefined ? undefined : varbind(entry.name, v);
}

/** The first instance at or after index `i` that has a value now (v1 skips Counter64). */
function firstFrom<C>(
  view: MibView<C>,
  i: number,
  ctx: C,
  v1: boolean,
): { vb: Buffer; index: number } | null {
  for (let k = i; k < view.entries.length; k++) {
    const e = view.entries[k]!;
    if (v1 && e.type === Tag.Counter64) continue;
    const vb = render(e, ctx);
    if (vb) return { vb, index: k };
  }
  return null;
}

function echo(oids: readonly number[][]): Buffer[] {
  return oids.map((o) => varbind(encodeName(o), NULL_VALUE));
}

/**
 * Builds the response to `req`, or null when the PDU is one an agent does not answer
 * (a Response, Trap or Report, or GetBulk sent as v1).
 */
export function respond<C>(
  req: SnmpRequest,
  view: MibView<C>,
  ctx: C,
  limits: ResponderLimits,
): Answer | null {
  const v1 = req.version === SnmpVersion.V1;
  const fail = (status: number, index: number): Answer => ({
    reply: encodeResponse(req, status, index, echo(req.oids)),
    varbinds: 0,
  });
  const fits = (vbs: Buffer[]): Answer => {
    const reply = encodeResponse(req, ErrorStatus.NoError, 0, vbs);
    if (reply.length <= limits.maxMessageSize) return { reply, varbinds: vbs.length };
    // RFC 3416 §4.2.1: tooBig with an empty list (v2c); v1 echoes the request's names.
    return { reply: encodeResponse(req, ErrorStatus.TooBig, 0, v1 ? echo(req.oids) : []), varbinds: 0 };
  };

  switch (req.pduType) {
    case PduType.Get: {
      const out: Buffer[] = [];
      for (let k = 0; k < req.oids.length; k++) {
        const oid = req.oids[k]!;
        const i = view.indexOf(oid);
        const e = i >= 0 ? view.entries[i]! : undefined;
        const vb = e && !(v1 && e.type === Tag.Counter64) ? render(e, ctx) : undefined;
        if (vb) out.push(vb);
        else if (v1) return fail(ErrorStatus.NoSuchName, k + 1);
        else
          out.push(
            varbind(encodeName(oid), e || view.knowsObjectOf(oid) ? NO_SUCH_INSTANCE : NO_SUCH_OBJECT),
          );
      }
      return fits(out);
    }
    case PduType.GetNext: {
      const out: Buffer[] = [];
      for (let k = 0; k < req.oids.length; k++) {
        const oid = req.oids[k]!;
        const next = firstFrom(view, view.nextIndex(oid), ctx, v1);
        if (next) out.push(next.vb);
        else if (v1) return fail(ErrorStatus.NoSuchName, k + 1);
        else out.push(varbind(encodeName(oid), END_OF_MIB_VIEW));
      }
      return fits(out);
    }
    case PduType.GetBulk:
      return v1 ? null : bulk(req, view, ctx, limits);
    case PduType.Set:
      // Read-only agent: v2c says notWritable, v1 has only noSuchName for this.
      return fail(v1 ? ErrorStatus.NoSuchName : ErrorStatus.NotWritable, req.oids.length > 0 ? 1 : 0);
    default:
      return null;
  }
}

/** GetBulk (RFC 3416 §4.2.3): N non-repeaters, then up to M rounds over the R repeaters. */
function bulk<C>(req: SnmpRequest, view: MibView<C>, ctx: C, limits: ResponderLimits): Answer {
  const n = Math.min(Math.max(req.field2, 0), req.oids.length);
  const m = Math.max(req.field3, 0);
  const out: Buffer[] = [];
  // Room for varbinds; the overhead is computed for the longest length fields the limit allows.
  const room = limits.maxMessageSize - responseOverhead(req.community, limits.maxMessageSize);
  let used = 0;
  let values = 0;
  const add = (vb: Buffer): boolean => {
    if (used + vb.length > room) return false;
    out.push(vb);
    used += vb.length;
    return true;
  };
  const done = (): Answer => ({ reply: encodeResponse(req, ErrorStatus.NoError, 0, out), varbinds: values });

  for (let k = 0; k < n; k++) {
    const oid = req.oids[k]!;
    const next = firstFrom(view, view.nextIndex(oid), ctx, false);
    if (!add(next ? next.vb : varbind(encodeName(oid), END_OF_MIB_VIEW))) return done();
    if (next) values++;
  }
  // Each repeater remembers the index it reached; -1 once past the end of the view.
  const pos = req.oids.slice(n).map((o) => view.nextIndex(o));
  const names = req.oids.slice(n).map((o) => o);
  if (pos.length === 0) return done();
  for (let rep = 0; rep < m; rep++) {
    let live = 0;
    for (let r = 0; r < pos.length; r++) {
      const p = pos[r]!;
      const next = p >= 0 ? firstFrom(view, p, ctx, false) : null;
      let vb: Buffer;
      if (next) {
        vb = next.vb;
        pos[r] = next.index + 1;
        live++;
      } else {
        // endOfMibView names the last OID this repeater reached.
        vb = varbind(encodeName(names[r]!), END_OF_MIB_VIEW);
        pos[r] = -1;
      }
      if (!add(vb)) return done();
      if (next) {
        values++;
        names[r] = view.entries[next.index]!.oid as number[];
      }
    }
    // Further rounds would only repeat endOfMibView.
    if (live === 0) break;
  }
  return done();
}
