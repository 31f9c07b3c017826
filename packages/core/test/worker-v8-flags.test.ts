/** The V8 flags poller workers set for the process, and the operator's own flags winning. */
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, workerV8Flags } from '../src/workers/pool.js';

const growth = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
const pretenuring = '--no-allocation-site-pretenuring';

describe('poller workers: V8 flags', () => {
  it('sets heap growth and turns allocation-site pretenuring off when nothing was given', () => {
    expect(workerV8Flags('')).toEqual([growth, pretenuring]);
    expect(workerV8Flags('--max-old-space-size=4096 --enable-source-maps')).toEqual([growth, pretenuring]);
  });

  it('leaves a flag the operator gave, in either sense and spelling', () => {
    expect(workerV8Flags('--heap_growing_percent=50')).toEqual([pretenuring]);
    expect(workerV8Flags('--heap-growing-percent=0 --allocation-site-pretenuring')).toEqual([]);
    expect(workerV8Flags('--no-allocation_site_pretenuring')).toEqual([growth]);
  });

  it('does not mistake a longer flag for one of its own', () => {
    expect(workerV8Flags('--allocation-site-pretenuring-x')).toEqual([growth, pretenuring]);
  });
});
