// How the benchmarks poll with a driver directly, as core does: the device's settings for the
// driver parsed once with its schema (core does it when the device is added), then
// poll(device, settings, ctx) per call — parsing is not part of what a poll costs. A reference
// build from before typed settings (DRIVER=…, no `settings` schema, poll(device, ctx)) is called
// the way it was.

/** Returns `(ctx) => driver.poll(…)` for this device. */
export function pollerFor(driver, device) {
  const typed = driver.settings !== undefined || driver.poll.length >= 3;
  if (!typed) return (ctx) => driver.poll(device, ctx);
  const schema = driver.settings ?? driver.settingsSchema;
  const raw = device[driver.kind];
  const settings = schema ? schema.parse(raw ?? {}) : raw;
  return (ctx) => driver.poll(device, settings, ctx);
}
