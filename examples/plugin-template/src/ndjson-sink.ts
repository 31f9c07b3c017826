import { appendFile } from 'node:fs/promises';
import type { Sink } from '@ispmonitor/core';

/**
 * A sink that appends samples to a file, one JSON object a line. Big counters (bigint) are
 * written as strings so they stay exact. A failed append throws, so core retries the batch.
 */
export function ndjsonSink(path: string): Sink {
  return {
    name: `ndjson:${path}`,
    async write(batch) {
      let text = '';
      for (const s of batch) {
        text += `${JSON.stringify({ ...s, value: typeof s.value === 'bigint' ? s.value.toString() : s.value })}\n`;
      }
      await appendFile(path, text);
    },
  };
}
