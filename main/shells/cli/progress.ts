// Console progress for training: one live line with a bar and ETA on a terminal, plain
// periodic lines when the output is a file or a pipe.
import type { TrainEvent } from '../../contract/events';
import { formatParams } from '../../engine/models/params';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(Math.max(fraction, 0), 1) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

const STAGE_NAME = { 1: 'search', 2: 'train' } as const;

export class ConsoleProgress {
  private lastPlain = 0;
  private live = false;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly tty: boolean = Boolean(process.stderr.isTTY),
    private readonly quiet = false,
  ) {}

  private line(text: string): void {
    if (this.live) this.out.write('\r\x1b[2K');
    this.live = false;
    this.out.write(text + '\n');
  }

  event(e: TrainEvent): void {
    if (this.quiet && e.type !== 'log') return;
    switch (e.type) {
      case 'log':
        this.line(e.level === 'warn' ? `warning: ${e.message}` : e.message);
        break;
      case 'stage':
        if (e.status === 'start') {
          const what = e.stage === 1 ? 'stage 1: learning kernel sizes' : `stage 2: training the found CNN (${formatParams(e.params ?? 0)} params, sizes ${e.sizes?.join(' ')})`;
          this.line(`${what}, ${e.epochs} epoch${e.epochs === 1 ? '' : 's'} × ${e.totalSteps / Math.max(e.epochs, 1)} steps on ${e.backend}`);
        } else if (e.stage === 1) {
          this.line(`learned sizes: ${e.sizes?.join(' ')}  (${formatParams(e.params ?? 0)} params)`);
        }
        break;
      case 'epoch': {
        const acc = e.top1 != null ? `  top-1 ${(e.top1 * 100).toFixed(2)}%${e.top5 != null ? `  top-5 ${(e.top5 * 100).toFixed(2)}%` : ''}` : '';
        const sizes = e.hard ? `  sizes ${e.hard.join(' ')}  p ${formatParams(e.params ?? 0)}` : '';
        this.line(`${STAGE_NAME[e.stage]} epoch ${e.epoch}/${e.epochs}: loss ${e.trainLoss.toFixed(4)}${acc}${sizes}  ${e.seconds.toFixed(1)} s`);
        break;
      }
      case 'step': {
        const extra = e.stage === 1 ? `CE ${e.ce!.toFixed(3)}  Lp ${e.lparam!.toFixed(3)}  p ${formatParams(e.params!)}` : `acc ${(e.acc! * 100).toFixed(1)}%  lr ${e.lr.toFixed(4)}`;
        const text = `${STAGE_NAME[e.stage]} ${e.epoch}/${Math.ceil(e.totalSteps / e.stepsPerEpoch)} ${e.step}/${e.totalSteps}  loss ${e.loss.toFixed(3)}  ${extra}  ${(e.ms / 1000).toFixed(2)} s/step  ETA ${formatDuration(e.etaSeconds)}`;
        if (this.tty) {
          const cols = this.out.columns ?? 120;
          const full = `[${bar(e.step / e.totalSteps, 20)}] ${text}`;
          this.out.write('\r\x1b[2K' + full.slice(0, cols - 1));
          this.live = true;
        } else {
          const every = Math.max(1, Math.floor(e.totalSteps / 20));
          if (e.step === 1 || e.step === e.totalSteps || e.step - this.lastPlain >= every) {
            this.lastPlain = e.step;
            this.line(text);
          }
        }
        break;
      }
    }
  }

  end(): void {
    if (this.live) this.out.write('\n');
    this.live = false;
  }
}
