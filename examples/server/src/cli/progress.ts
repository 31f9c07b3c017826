/** A one-line progress bar on a TTY; silent elsewhere (logs and pipes get the summary only). */
export class ProgressBar {
  #last = 0;
  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly width = 30,
  ) {}

  update(done: number, total: number, suffix = ''): void {
    if (!this.stream.isTTY) return;
    const now = Date.now();
    // Redrawing is cheap but not free: at most 20 frames a second, and always the last one.
    if (done < total && now - this.#last < 50) return;
    this.#last = now;
    const ratio = total ? Math.min(1, done / total) : 1;
    const filled = Math.round(ratio * this.width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(this.width - filled)}`;
    this.stream.write(
      `\r${bar} ${String(Math.round(ratio * 100)).padStart(3)}% ${done}/${total} ${suffix}\u001b[K`,
    );
  }

  finish(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
