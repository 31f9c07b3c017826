/**
 * The rebalance decision of one round, as a pure function of what the database showed: which free
 * buckets to try to lock and which held ones to let go. Kept free of I/O so every rule is tested
 * on its own.
 *
 * Rules, in order:
 * 1. Fair share = ceil(buckets / live replicas).
 * 2. Under its share, a replica tries to lock free buckets, up to its share.
 * 3. At or over its share, it still takes buckets that stayed free for `orphanGraceMs` (a dead
 *    replica whose heartbeat row is not stale yet, a share rounded down): an unpolled device is
 *    worse than an unfair split. It takes ceil(orphans / replicas) of them, so survivors split them.
 * 4. Over its share, it releases surplus only while another live replica is short of its share by
 *    more than the free buckets can cover, only what that replica needs, and only after that has
 *    been so for `rebalanceDelayMs`: a joining replica gets its share without a storm of moves.
 * 5. It releases its most recently acquired buckets first: the ones held longest keep warm state.
 */

/** What one round saw and holds. */
export interface PlanInput {
  /** Now, ms. */
  now: number;
  /** Number of buckets. */
  buckets: number;
  /** This replica's database session (backend pid). */
  selfPid: number;
  /** Buckets this replica holds, with when it got each. */
  held: ReadonlyMap<number, number>;
  /** Every granted bucket lock in the database: bucket → holding backend pid. */
  holders: ReadonlyMap<number, number>;
  /** Backend pids of the live replicas (this one included). */
  livePids: readonly number[];
  /** Since when each free bucket has been seen free (kept by the caller between rounds). */
  freeSince: ReadonlyMap<number, number>;
  /** Since when this replica has had surplus that another one needs, or undefined. */
  surplusSince: number | undefined;
  /** How long a free bucket waits before replicas at their share take it. */
  orphanGraceMs: number;
  /** How long surplus must persist before it is released. */
  rebalanceDelayMs: number;
  /** Random number in [0, 1); injected so tests are repeatable. */
  random?: () => number;
}

/** What the round should do. */
export interface Plan {
  /** Fair share of this round. */
  share: number;
  /** Free buckets to try to lock (some may be taken by another replica first). */
  acquire: number[];
  /** Held buckets to unlock. */
  release: number[];
  /** The new value of `surplusSince`. */
  surplusSince: number | undefined;
}

/** Decides one round. */
export function plan(input: PlanInput): Plan {
  const random = input.random ?? Math.random;
  const live = new Set(input.livePids);
  live.add(input.selfPid);
  const share = Math.ceil(input.buckets / live.size);
  const mine = input.held.size;

  const free: number[] = [];
  for (let b = 0; b < input.buckets; b++) if (!input.holders.has(b)) free.push(b);

  let acquire: number[] = [];
  if (mine < share) {
    acquire = shuffle(free, random).slice(0, share - mine);
  } else {
    const orphans = free.filter((b) => {
      const since = input.freeSince.get(b);
      return since !== undefined && input.now - since >= input.orphanGraceMs;
    });
    if (orphans.length > 0)
      acquire = shuffle(orphans, random).slice(0, Math.ceil(orphans.length / live.size));
  }

  // How many buckets live replicas under their share still need beyond what is free.
  const counts = new Map<number, number>();
  for (const pid of input.holders.values()) counts.set(pid, (counts.get(pid) ?? 0) + 1);
  let deficit = 0;
  for (const pid of live) if (pid !== input.selfPid) deficit += Math.max(0, share - (counts.get(pid) ?? 0));
  const needed = deficit - free.length;
  const surplus = mine - share;

  let surplusSince: number | undefined;
  let release: number[] = [];
  if (surplus > 0 && needed > 0) {
    surplusSince = input.surplusSince ?? input.now;
    if (input.now - surplusSince >= input.rebalanceDelayMs) {
      release = [...input.held.entries()]
        .sort((a, b) => b[1] - a[1] || b[0] - a[0])
        .slice(0, Math.min(surplus, needed))
        .map(([bucket]) => bucket);
      surplusSince = undefined;
    }
  }
  return { share, acquire, release, surplusSince };
}

/** A shuffled copy (Fisher–Yates): replicas racing for free buckets mostly pick different ones. */
function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
