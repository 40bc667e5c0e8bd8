/** A half-open range of UTF-16 offsets into a document's text (the unit LSP positions use). */
export interface TextSpan {
  start: number;
  end: number;
}

export interface LinePosition {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 column. */
  character: number;
}

/** Maps offsets to line/column and back. Built once per document; lookups are a binary search. */
export class LineIndex {
  private readonly lineStarts: number[];
  /** The text's length, not the text: an index outlives its document's tree in a lint run (CrossHomeCheck). */
  private readonly length: number;

  constructor(text: string) {
    this.length = text.length;
    const starts = [0];
    if (!text.includes('\r')) {
      // The common case: native indexOf is several times faster than a character loop.
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    } else {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10 /* \n */) starts.push(i + 1);
        else if (c === 13 /* \r */) {
          if (text.charCodeAt(i + 1) === 10) i++;
          starts.push(i + 1);
        }
      }
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): LinePosition {
    const clamped = Math.max(0, Math.min(offset, this.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: clamped - this.lineStarts[low] };
  }

  offsetAt(position: LinePosition): number {
    if (position.line >= this.lineStarts.length) return this.length;
    if (position.line < 0) return 0;
    const lineStart = this.lineStarts[position.line];
    const nextLineStart = position.line + 1 < this.lineStarts.length ? this.lineStarts[position.line + 1] : this.length;
    return Math.min(lineStart + Math.max(0, position.character), nextLineStart);
  }

  lineStart(line: number): number {
    return this.lineStarts[Math.max(0, Math.min(line, this.lineStarts.length - 1))];
  }
}
