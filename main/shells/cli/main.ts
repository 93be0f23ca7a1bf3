// effconv: the headless shell. Parses argv, calls the API, maps errors to exit codes.
import { escapedSystemError, isSystemError } from '../../common/system-errors';
import { EffconvError, type ErrorCode } from '../../contract/errors';
import { configCommand } from './commands/config';
import { datasetCommand } from './commands/dataset';
import { doctorCommand } from './commands/doctor';
import { exportCommand } from './commands/export';
import { resumeCommand } from './commands/resume';
import { runCommand } from './commands/run';
import { runsCommand } from './commands/runs';
import { cliOutput } from './cli-service';
import { serveCommand } from './commands/serve';
import { showCommand } from './commands/show';
import { sweepCommand } from './commands/sweep';
import { workerCommand } from './commands/worker';
import { workersCommand } from './commands/workers';

const USAGE = `effconv — learn per-layer CNN kernel sizes under a parameter budget (EffConv)

usage:
  effconv serve  [--port N] [--queue URL]     the workbench in a browser: 127.0.0.1 only, tokened URL
  effconv doctor [--json]                     which compute backends work here, and why not
  effconv run    --dataset D [options]        stage 1 (search) then stage 2 (train)
  effconv search --dataset D [options]        stage 1 only: writes the learned config
  effconv train  --config DIR/config.json --dataset D [options]   stage 2 from a config
  effconv export RUN [--format F] [--out PATH] [--force] [--json]
                 a finished run (its folder or config.json) as F = config | pytorch | onnx |
                 tfjs | report | all (default all)
  effconv export sweep SWEEP [--out DIR] [--force] [--json]
                 a sweep's report.md, figures (SVG + PNG), points.csv and learned configs
                 (default: ./<sweep name>-export)
  effconv config validate FILE [--json]       check a config: schema, channel chain, sizes, params
  effconv train  --from-run RUN [options]     stage 2 from a recorded run's learned config
  effconv runs   [--experiment X] [--status S[,S]] [--limit N] [--offset N] [--json]
                                              the recorded runs, newest first
  effconv show   RUN [--json]                 one run: options, sizes per layer, epochs, files
  effconv resume RUN                          continue a paused, interrupted, failed or cancelled
                                              run from its last checkpoint
  effconv sweep  --budget LIST --dataset LIST [--backbone LIST] [--seed LIST] [--baseline]
                 [--parallel N] [--name NAME] [run options]
                                              a grid of runs as one experiment: LIST is comma-separated;
                                              budgets 0.2M,0.4M | 0.2M..0.8M:4 (log-spaced) | 0.5x,1x,2x
                                              (multiples of each backbone's all-3×3 count)
  effconv sweep  list | show SWEEP [--json] | resume SWEEP | pause SWEEP | cancel SWEEP | delete SWEEP
                                              SWEEP is a sweep's name or id; export it with effconv export sweep
  effconv worker --queue URL [--backend B] [--concurrency N] [--name NAME]
                                              take runs from a fleet's queue (Redis) and execute them here
  effconv workers --queue URL [--json]        the fleet's workers: what each runs, backend, last seen
  effconv dataset import PATH [import options]   copy a data set into the library (folder, .zip, .tar.gz, .npz)
  effconv dataset list | show NAME | remove NAME | verify NAME [--json]
  effconv dataset add-sample                  the bundled sample (MNIST test set) back into the library
  effconv dataset download [NAME] [--mirror URL] [--json] [--quiet]
                 mnist, fashion-mnist, cifar-10, cifar-100 or stl-10 from its publisher, checked
                 against the published checksums, resumable, then imported (no NAME: the list)
  effconv dataset samples NAME --out DIR [--per-class 8] [--scale 4]   a few PNGs per class

run options:
  --backbone resnet20|resnet32|resnet44|resnet56|resnetN|wrn-28-1 (default resnet20)
  --budget 0.4M|400k|400000      total parameters of the final CNN (default 0.4M)
  --search-epochs N (10)  --train-epochs N (200)  --batch-size N (64, stage 1)
  --train-batch-size N (128)  --seed N (0)  --lr X (0.1, stage 2)
  --backend auto|tensorflow|webgpu|wasm|cpu (auto)
  --limit-train N  --limit-test N   use only the first N images of a split
  --crop P  --flip/--no-flip         augmentation (default: pad 4 crop for ≥32 px, 2 below; flip for photos)
  --name NAME                        the experiment to record the run in (default: backbone · dataset · budget)
  --out DIR                          also write config.json and metrics.jsonl here (they always go
                                     to the run's folder under EFFCONV_HOME/runs)
  --checkpoint-minutes M             checkpoint inside an epoch every M minutes (5); always at epoch ends
  --queue URL                        execute on the fleet behind this Redis (redis://[:password@]host:port[/db],
                                     rediss:// for TLS; EFFCONV_QUEUE, EFFCONV_QUEUE_PASSWORD) instead of here
  --json                             print the summary as JSON on stdout
  --quiet                            no progress output
  --dataset takes a library name, fashion-mnist, or a folder of idx files (default: the bundled
                                     sample, mnist-sample)

import options (format auto-detected: idx, cifar10, cifar100, stl10, imagenet32, image-folder):
  --name N                 library name (default from the format or the folder)
  --format F               skip detection
  --size S                 square size; image folders default to their common square size, else 32
  --fit cover|contain|fill non-square images: resize the short side and centre-crop (default), pad, or stretch
  --test-fraction F        held out per class when the source has no test split (0.1)
  --seed N                 seed of the held-out choice and the stored order (0)
  --channels 1|3           force grayscale or RGB (default: gray only if every image is)
  --labels fine|coarse     CIFAR-100 labels (fine)
  --unlabeled              STL-10: also store the unlabeled split
  --flip/--no-flip         whether horizontal flips are safe by default (off for idx sets)
  --strict                 fail on the first unreadable or non-image file instead of skipping it
  --replace                replace an entry of the same name
  --json  --quiet
`;

/** The commands that open the dataset library: the first of them on a machine adds the sample. */
const OPENS_LIBRARY = new Set(['dataset', 'run', 'search', 'train', 'sweep', 'serve']);

const EXIT: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 2, BACKBONE_INVALID: 2, BUDGET_INVALID: 2, BUDGET_UNREACHABLE: 2, CONFIG_INVALID: 2,
  RUN_NOT_FOUND: 2, RUN_NOT_FINISHED: 2, OUTPUT_EXISTS: 2, OUTPUT_UNWRITABLE: 6, WEIGHTS_INVALID: 2,
  BACKEND_UNAVAILABLE: 3, DATASET_NOT_FOUND: 4, DATASET_MALFORMED: 4, DATASET_EXISTS: 4, CANCELLED: 130,
  EXPERIMENT_NOT_FOUND: 2, SWEEP_NOT_FOUND: 2, RUN_STATE: 2, RUN_INTERRUPTED: 1, DATABASE_UNAVAILABLE: 5, QUEUE_UNAVAILABLE: 6, QUEUE_AUTH: 6, PROTOCOL_MISMATCH: 6,
  NETWORK_UNAVAILABLE: 6, DOWNLOAD_NOT_FOUND: 6, DOWNLOAD_REDIRECT_LOOP: 6, DOWNLOAD_FAILED: 6, CHECKSUM_MISMATCH: 6, DOWNLOAD_MANUAL: 2,
  DATASET_UNREADABLE: 4, DISK_FULL: 6, PERMISSION_DENIED: 6, IO_ERROR: 6,
};

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    cliOutput.quiet = rest.includes('--quiet');
    cliOutput.offerSample = OPENS_LIBRARY.has(cmd ?? '');
    switch (cmd) {
      case 'doctor':
        return await doctorCommand(rest);
      case 'dataset':
        return await datasetCommand(rest);
      case 'run':
        return await runCommand(rest, 'both');
      case 'search':
        return await runCommand(rest, 'search');
      case 'train':
        return await runCommand(rest, 'train');
      case 'export':
        return await exportCommand(rest);
      case 'config':
        return await configCommand(rest);
      case 'serve':
        return await serveCommand(rest);
      case 'runs':
        return await runsCommand(rest);
      case 'show':
        return await showCommand(rest);
      case 'resume':
        return await resumeCommand(rest);
      case 'sweep':
        return await sweepCommand(rest);
      case 'worker':
        return await workerCommand(rest);
      case 'workers':
        return await workersCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        process.stderr.write(`effconv: unknown command "${cmd}"\n\n${USAGE}`);
        return 2;
    }
  } catch (caught) {
    // A system error that escaped every layer (a full disk, a read-only EFFCONV_HOME) is still the world's doing, not ours.
    const e = isSystemError(caught) ? escapedSystemError(caught) : caught;
    if (e instanceof EffconvError) {
      const detail = e.detail && !e.message.includes(e.detail) && e.code !== 'INVALID_ARGUMENT' ? `\n  ${e.detail}` : '';
      process.stderr.write(`effconv: ${e.message}${detail}\n`);
      return EXIT[e.code] ?? 1;
    }
    process.stderr.write(`effconv: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
