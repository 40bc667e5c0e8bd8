/**
 * A one-line progress bar on standard error, for trees large enough to make someone wait. Only on a terminal: when
 * standard error is a pipe or a CI log, nothing is drawn (carriage returns would clutter the log).
 */

export interface ProgressOptions {
  readonly write: (s: string) => void;
  readonly enabled: boolean;
  readonly columns?: number;
  /** Files below this many get no bar: they are done before one would be seen. */
  readonly threshold?: number;
  /** Redraws at most this often. */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

export class Progress {
  private drawn = false;
  private last = -Infinity;
  private total = 0;

  constructor(private readonly options: ProgressOptions) {}

  /** While walking: the count of files found so far. */
  scanning(found: number): void {
    if (!this.options.enabled || found < (this.options.threshold ?? 50)) return;
    this.draw(`Scanning… ${found} configuration file${found === 1 ? '' : 's'} found`);
  }

  start(total: number): void {
    this.total = total;
    if (this.drawn) this.clear();
  }

  update(done: number, current?: string): void {
    if (!this.options.enabled || this.total < (this.options.threshold ?? 50)) return;
    const width = Math.max(10, Math.min(30, (this.options.columns ?? 80) - 60));
    const filled = Math.round((done / this.total) * width);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
    const label = current ? ` ${shorten(current, Math.max(10, (this.options.columns ?? 80) - width - 24))}` : '';
    this.draw(`${bar} ${done}/${this.total}${label}`, done === this.total);
  }

  /** Removes the bar, so the report starts on a clean line. */
  clear(): void {
    if (!this.drawn) return;
    this.options.write('\r\u001b[2K');
    this.drawn = false;
  }

  private draw(line: string, force = false): void {
    const now = (this.options.now ?? Date.now)();
    if (!force && now - this.last < (this.options.intervalMs ?? 100)) return;
    this.last = now;
    this.options.write(`\r\u001b[2K${line}`);
    this.drawn = true;
  }
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}
