import { describe, expect, it } from 'vitest';
import { runApp } from '../src/app.js';

describe('custom app (real time, simulated routers)', () => {
  it('polls both routers, gets the interface-down alert on its own endpoint and reads traffic back', async () => {
    const lines: string[] = [];
    const report = await runApp(12, (l) => lines.push(l));
    expect(report.statuses).toEqual({ 'snmp-router': 'online', 'ros-router': 'online' });
    expect(lines).toContain('ros-router: unknown → online');
    expect(report.received).toContain('InterfaceDown/snmp-router/ether3');
    expect(report.trafficBps.length).toBeGreaterThan(2);
    for (const [, bps] of report.trafficBps) expect(bps).toBeGreaterThan(0);
  }, 60_000);
});
