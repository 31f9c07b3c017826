// A logger that drops everything: benchmarks measure the work, not log output (and, unlike core's
// fake logger for tests, it keeps nothing in memory over a long run).
export const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
