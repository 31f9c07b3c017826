import type { InterfaceRow } from '../../src/inventory/facts.js';

/**
 * An interface of router `r1` as the inventory stores it: named `name` (its index too), enabled
 * and running unless `extra` says otherwise. The tests of the router page's table, live rates
 * and default charts build their ports with it.
 */
export function interfaceRow(name: string, extra: Partial<InterfaceRow> = {}): InterfaceRow {
  return {
    id: `r1:${name}`,
    device: 'r1',
    index: name,
    name,
    adminUp: true,
    operUp: true,
    ...extra,
  } as InterfaceRow;
}
