/**
 * User-defined scalars and table columns from `device.snmp.oids` / `device.snmp.tables`,
 * emitted under the names the user chose (validated against Prometheus naming by the schema).
 */
import { numericValue, textValue } from '../values.js';
import { emit, getScalars, type Part, walk } from './context.js';

function scaled(
  v: number | bigint | undefined,
  type: 'gauge' | 'counter',
  scale: number,
): number | bigint | undefined {
  if (v === undefined) return undefined;
  // Counters stay raw and exact; only gauges are scaled.
  if (type === 'counter' || scale === 1) return v;
  return Number(v) * scale;
}

/** The custom part: one GET for every scalar, one walk for every table. */
export const customPart: Part = {
  name: 'custom',
  async collect(ctx) {
    const { oids, tables } = ctx.settings;
    if (oids.length > 0) {
      const got = await getScalars(
        ctx,
        oids.map((o) => o.oid),
      );
      for (const o of oids) {
        const vb = got.get(o.oid);
        emit(ctx, o.name, o.labels, vb ? scaled(numericValue(vb), o.type, o.scale) : undefined);
      }
    }
    if (tables.length > 0) {
      const columns = [
        ...new Set(tables.flatMap((t) => (t.labelColumn ? [t.column, t.labelColumn] : [t.column]))),
      ];
      const cols = await walk(
        ctx,
        columns,
        (c) => `custom:${tables.find((t) => t.column === c || t.labelColumn === c)?.name}`,
      );
      for (const t of tables) {
        for (const [index, vb] of cols.get(t.column) ?? []) {
          const labels: Record<string, string> = { ...t.labels, [t.indexLabel]: index };
          if (t.labelColumn) {
            const text = textValue(cols.get(t.labelColumn)?.get(index));
            if (text) labels[t.label] = text;
          }
          emit(ctx, t.name, labels, scaled(numericValue(vb), t.type, t.scale));
        }
      }
    }
  },
};
