// Pull exact byte counts out of a stream of chunks (a gunzip stream, a file stream) without
// copying more than needed: headers come out whole, big bodies as the chunks that arrived.

export class ChunkReader {
  private readonly chunks: Buffer[] = [];
  private have = 0;
  private ended = false;

  constructor(
    private readonly source: AsyncIterator<Buffer>,
    private readonly wrapError: (e: unknown) => Error,
  ) {}

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    let r: IteratorResult<Buffer>;
    try {
      r = await this.source.next();
    } catch (e) {
      throw this.wrapError(e);
    }
    if (r.done) {
      this.ended = true;
      return false;
    }
    if (r.value.length > 0) {
      this.chunks.push(r.value);
      this.have += r.value.length;
    }
    return true;
  }

  /** Up to n bytes of what has arrived (waiting for at least one); empty at the end of the stream. */
  async some(n: number): Promise<Buffer> {
    while (this.have === 0) if (!(await this.pull())) return Buffer.alloc(0);
    const first = this.chunks[0];
    if (first.length <= n) {
      this.chunks.shift();
      this.have -= first.length;
      return first;
    }
    this.chunks[0] = first.subarray(n);
    this.have -= n;
    return first.subarray(0, n);
  }

  /** Exactly n bytes, fewer if the stream ends first, null if it had already ended. */
  async exactly(n: number): Promise<Buffer | null> {
    while (this.have < n) if (!(await this.pull())) break;
    if (this.have === 0 && n > 0) return null;
    const take = Math.min(n, this.have);
    if (this.chunks.length > 0 && this.chunks[0].length >= take) return this.some(take);
    const out = Buffer.allocUnsafe(take);
    let at = 0;
    while (at < take) {
      const piece = await this.some(take - at);
      piece.copy(out, at);
      at += piece.length;
    }
    return out;
  }

  /** Stop the underlying stream early (closes its file). */
  async close(): Promise<void> {
    this.ended = true;
    await this.source.return?.();
  }

  /** Drop n bytes; false if the stream ended first. */
  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      const piece = await this.some(left);
      if (piece.length === 0) return false;
      left -= piece.length;
    }
    return true;
  }
}

/** A whole buffer as a one-chunk source. */
export async function* bufferSource(buf: Buffer): AsyncGenerator<Buffer> {
  yield buf;
}
