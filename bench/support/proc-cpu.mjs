// CPU time of other processes, read from /proc (Linux): for benchmarks that charge a peer's
// work (PostgreSQL's backends, a receiver) next to our own.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux USER_HZ: /proc/PID/stat counts CPU in these ticks. */
const TICKS_PER_S = 100;

/** Fields of /proc/PID/stat after the command name (index 0 is the state), or undefined once gone. */
export function procStat(pid) {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  } catch {
    return undefined;
  }
}

/** CPU seconds of one process (utime + stime); 0 once it is gone. */
export function procCpu(pid) {
  const f = procStat(pid);
  return f ? (Number(f[11]) + Number(f[12])) / TICKS_PER_S : 0;
}

/**
 * CPU seconds of a process and its children (PostgreSQL's postmaster and backends): its own, its
 * waited-for children's (cutime + cstime), and each live child's; 0 when pid is undefined or gone.
 */
export function treeCpu(pid) {
  if (pid === undefined) return 0;
  const own = procStat(pid);
  if (!own) return 0;
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = procStat(entry);
    if (f && Number(f[1]) === Number(pid)) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / TICKS_PER_S;
}
