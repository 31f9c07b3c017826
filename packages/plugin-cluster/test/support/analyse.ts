/** Reading the poll reports of the multi-process test. */

/** One poll a replica reported. */
export interface Poll {
  device: string;
  replica: string;
  at: number;
}

/** What the polls of a time window show. */
export interface Analysis {
  /** Devices (of dev-0 … dev-N-1) nobody polled in the window. */
  unpolled: string[];
  /** Devices more than one replica polled in the window. */
  doublePolled: string[];
  /** Episodes where two replicas polled one device at once (two polls less than half an interval apart). */
  doublePollEpisodes: number;
  /** The longest such episode, first to last double poll, ms. */
  longestDoublePollMs: number;
}

/** Analyses the polls in [from, to]. */
export function analyse(
  polls: readonly Poll[],
  window: { from: number; to: number; interval: number; devices: number },
): Analysis {
  const byDevice = new Map<string, Poll[]>();
  for (const p of polls) {
    if (p.at < window.from || p.at > window.to) continue;
    const list = byDevice.get(p.device);
    if (list) list.push(p);
    else byDevice.set(p.device, [p]);
  }
  const unpolled: string[] = [];
  for (let i = 0; i < window.devices; i++) if (!byDevice.has(`dev-${i}`)) unpolled.push(`dev-${i}`);
  const doublePolled: string[] = [];
  let episodes = 0;
  let longest = 0;
  for (const [device, list] of byDevice) {
    if (new Set(list.map((p) => p.replica)).size > 1) doublePolled.push(device);
    list.sort((a, b) => a.at - b.at);
    let start: number | undefined;
    let last = 0;
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1] as Poll;
      const b = list[i] as Poll;
      // One owner polls a device once per interval; two polls this close by two replicas mean both owned it.
      if (a.replica === b.replica || b.at - a.at >= window.interval / 2) continue;
      if (start === undefined || b.at - last > window.interval * 2) {
        episodes++;
        start = b.at;
      }
      last = b.at;
      longest = Math.max(longest, last - start);
    }
  }
  return { unpolled, doublePolled, doublePollEpisodes: episodes, longestDoublePollMs: longest };
}
