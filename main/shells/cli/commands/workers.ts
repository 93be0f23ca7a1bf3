// effconv workers [--queue URL] [--json]: the fleet's workers, what each runs, its backend and
// device, and when it was last seen (the Api's listWorkers; --json prints its FleetStatus).
import type { FleetStatus } from '../../../contract/api';
import { parse } from '../args';
import { queueOf, withCliService } from '../cli-service';
import { formatTable, when } from '../table';
import { EffconvError } from '../../../contract/errors';

export async function workersCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { queue: { type: 'string' }, json: { type: 'boolean' } });
  const queue = queueOf(values);
  if (!queue) throw new EffconvError('INVALID_ARGUMENT', '--queue redis://host:port is required (or EFFCONV_QUEUE)', 'queue');
  const status: FleetStatus = await withCliService((s) => s.api.listWorkers(), { queue });
  if (values.json) {
    process.stdout.write(JSON.stringify(status, null, 2) + '\n');
    return 0;
  }
  if (status.workers.length === 0) {
    process.stdout.write(`no worker has been seen on ${status.queue} in the last hour (start one: effconv worker --queue …)\n`);
    return 0;
  }
  const rows = status.workers.map((w) => [
    w.name, w.host, w.online ? 'online' : 'lost', `${w.backend} ${w.device}`.trim(), `${w.running.length}/${w.concurrency}`,
    w.running.map((r) => (r.runId !== null ? `run ${r.runId}` : 'another workbench')).join(', '), when(w.lastSeen),
    w.protocol === status.protocol ? '' : `protocol ${w.protocol} (this: ${status.protocol})`,
  ]);
  process.stdout.write(formatTable(['WORKER', 'HOST', 'STATE', 'BACKEND', 'BUSY', 'RUNNING', 'LAST SEEN', ''], rows, new Set()));
  return 0;
}
