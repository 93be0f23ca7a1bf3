// An estimate that follows a form: asked for a short while after the last change (debounced),
// at most one request in flight, and when several changes came meanwhile only the latest is
// asked next. `pending` is true from a change until its answer ("estimating…").
export class LiveEstimate<Req, Res> {
  value = $state.raw<Res | null>(null);
  error = $state<unknown>(null);
  pending = $state(false);

  readonly #ask: (req: Req) => Promise<Res>;
  readonly #delayMs: number;
  #wanted: { key: string; req: Req } | null = null;
  #shown: string | null = null;
  #inFlight = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #disposed = false;

  constructor(ask: (req: Req) => Promise<Res>, delayMs = 500) {
    this.#ask = ask;
    this.#delayMs = delayMs;
  }

  /** The form's current request; null when the form cannot be estimated (an unreachable budget). */
  request(req: Req | null): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (req === null) {
      this.#wanted = null;
      this.#shown = null;
      this.value = null;
      this.error = null;
      this.pending = false;
      return;
    }
    const key = JSON.stringify(req);
    this.#wanted = { key, req };
    if (key === this.#shown && !this.#inFlight) {
      this.pending = false; // back to what is shown
      return;
    }
    this.pending = true;
    this.#timer = setTimeout(() => void this.#flush(), this.#delayMs);
  }

  async #flush(): Promise<void> {
    if (this.#inFlight || !this.#wanted || this.#disposed) return;
    const { key, req } = this.#wanted;
    this.#inFlight = true;
    try {
      const value = await this.#ask(req);
      if (this.#wanted?.key === key) {
        this.value = value;
        this.error = null;
        this.#shown = key;
      }
    } catch (e) {
      if (this.#wanted?.key === key) {
        this.value = null;
        this.error = e;
        this.#shown = key;
      }
    } finally {
      this.#inFlight = false;
    }
    if (this.#disposed) return;
    if (this.#wanted && this.#wanted.key !== this.#shown) void this.#flush();
    else this.pending = false;
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer) clearTimeout(this.#timer);
  }
}
