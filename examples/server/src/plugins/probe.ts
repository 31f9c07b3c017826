import { createMonitor, describeError, type Plugin } from '@ispmonitor/core';

/** What the device probe needs. */
export interface ProbeInput {
  /** The config's `devices`, as written (after references and overrides). */
  devices: unknown;
  /** The plugins whose drivers devices may name. */
  plugins: readonly Plugin[];
  /** The file, for messages. */
  source: string;
  /** `server.devices.addressPolicy`, when it is valid. */
  addressPolicy?: { deny?: string[]; allow?: string[] };
}

/** One line of core's device report: `devices[3]: device "r1": driver: …`. */
const DEVICE_LINE = /^\s*devices\[(\d+)\]: (.*)$/;

/**
 * Checks the config's devices as the monitor will: a monitor is assembled from the plugins that
 * bring drivers (never started: nothing is opened, polled or stored), and core validates every
 * device against the registered drivers, their settings schemas and the address policy, listing
 * each bad device. `requires` is not checked here (the full assembly does that): a plugin needing
 * alerts still has its driver checked.
 */
export async function probeDevices(input: ProbeInput): Promise<string[]> {
  if (!Array.isArray(input.devices) || input.devices.length === 0) return [];
  const plugins = input.plugins.map((p) => ({ ...p, requires: [] }));
  let monitor: Awaited<ReturnType<typeof createMonitor>> | undefined;
  try {
    monitor = await createMonitor({
      plugins,
      devices: input.devices as never,
      ...(input.addressPolicy ? { addressPolicy: input.addressPolicy } : {}),
      logLevel: 'silent',
    });
    return [];
  } catch (err) {
    const message = describeError(err).message;
    const lines = message.split('\n');
    const devices = lines.flatMap((line) => {
      const m = DEVICE_LINE.exec(line);
      if (!m) return [];
      return [`${input.source}: devices[${m[1]}]: ${m[2]}`];
    });
    if (devices.length || lines.some((l) => DEVICE_LINE.test(l))) return devices;
    return [`${input.source}: plugins: ${message}`];
  } finally {
    await monitor?.stop();
  }
}
