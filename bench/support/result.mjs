// The one way a benchmark reports: a `BENCH_RESULT {json}` line that bench/run.mjs collects into
// its side-by-side table (`{ name, figures, reference, ratios, goals }`).

/** Rounds a figure for the report: integers as they are, others to four significant digits. */
function rounded(_key, value) {
  return typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value)
    ? Number(value.toPrecision(4))
    : value;
}

/** `ours[k] / reference[k]` for each key: the ratios row of a result. */
export function ratiosOf(ours, reference, keys) {
  return Object.fromEntries(keys.map((k) => [k, ours[k] / Math.max(Number.EPSILON, reference[k])]));
}

/** Prints the result line bench/run.mjs reads; numbers rounded (the raw values stay the script's). */
export function printResult(result) {
  console.log(`BENCH_RESULT ${JSON.stringify(result, rounded)}`);
}
