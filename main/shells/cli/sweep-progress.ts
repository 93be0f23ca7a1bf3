// A sweep in the terminal: one line for the sweep (points done/total, ETA) and one per running
// point, redrawn in place on a terminal; on a pipe, a line whenever a point ends or starts.
import type { SweepDetail, SweepPoint } from '../../contract/sweep';
import { formatParams } from '../../engine/models/params';
import { formatDuration } from './progress';

const pointName = (p: SweepPoint) => `#${p.index} ${p.kind === 'baseline' ? 'baseline 3×3' : p.budgetLabel} ${p.backbone} ${p.dataset.split(/[\\/]/).pop()} seed ${p.seed}`;

function pointLine(p: SweepPoint): string {
  const g = p.progress;
  const where = g ? `stage ${g.stage} step ${g.step}/${g.totalSteps}${g.etaSeconds != null ? ` ETA ${formatDuration(g.etaSeconds)}` : ''}` : 'starting';
  return `  ${pointName(p)} (run ${p.runId}): ${where}`;
}

export function sweepHeadline(s: Pick<SweepDetail, 'name' | 'status' | 'total' | 'counts' | 'etaSeconds'>): string {
  const done = (s.counts.completed ?? 0) + (s.counts.failed ?? 0);
  const failed = s.counts.failed ? `, ${s.counts.failed} failed` : '';
  const eta = s.status === 'running' || s.status === 'queued' ? `  ETA ${s.etaSeconds != null ? formatDuration(s.etaSeconds) : '--:--'}` : '';
  return `sweep "${s.name}": ${done}/${s.total} points done${failed}${eta}`;
}

export class SweepConsole {
  private drawn = 0;
  private readonly seen = new Map<number, SweepPoint['status']>();

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly tty = Boolean(process.stderr.isTTY),
    private readonly quiet = false,
  ) {}

  show(s: SweepDetail): void {
    if (this.quiet) return;
    const running = s.points.filter((p) => p.status === 'running');
    if (this.tty) {
      const lines = [sweepHeadline(s), ...running.map(pointLine)];
      const cols = this.out.columns ?? 120;
      let text = this.drawn ? `\x1b[${this.drawn}F` : '';
      for (const l of lines) text += `\x1b[2K${l.slice(0, cols - 1)}\n`;
      for (let i = lines.length; i < this.drawn; i++) text += '\x1b[2K\n';
      if (this.drawn > lines.length) text += `\x1b[${this.drawn - lines.length}F`;
      this.out.write(text);
      this.drawn = lines.length;
      return;
    }
    // On a pipe: a line when a point starts and when it ends (points already done when the
    // follow began are not repeated).
    for (const p of s.points) {
      const before = this.seen.get(p.index);
      if (before === p.status) continue;
      this.seen.set(p.index, p.status);
      if (p.status === 'running') this.out.write(`started ${pointName(p)} (run ${p.runId})\n`);
      else if (before !== undefined && p.status !== 'queued') this.line(s, p);
    }
  }

  private line(s: SweepDetail, p: SweepPoint): void {
    const result = p.status === 'completed' ? `top-1 ${((p.top1 ?? 0) * 100).toFixed(2)}%, ${formatParams(p.params ?? 0)} params, sizes ${p.sizes?.join(' ')}` : p.status + (p.error ? `: ${p.error.message}` : '');
    this.out.write(`${pointName(p)} (run ${p.runId}): ${result}   [${sweepHeadline(s)}]\n`);
  }

  end(): void {
    this.drawn = 0;
  }
}
