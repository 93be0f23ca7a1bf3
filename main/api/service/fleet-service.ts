// The fleet half of the Api: its workers, and where new runs go (the queue the GUI sets). A
// shell whose executor can run on a fleet (RoutedRuns) answers them; the others say runs
// execute on this machine.
import type { Api, FleetStatus, QueueSettings } from '../../contract/api';
import { EffconvError } from '../../contract/errors';
import { FLEET_PROTOCOL } from '../processes/fleet/protocol';
import type { RunExecutor } from '../processes/run-executor';

export interface FleetControl {
  fleetStatus(): Promise<FleetStatus>;
  queueSettings(): QueueSettings;
  setQueue(url: string | null): Promise<QueueSettings>;
}

function fleetControl(e: RunExecutor): FleetControl | null {
  const c = e as Partial<FleetControl>;
  return typeof c.fleetStatus === 'function' && typeof c.setQueue === 'function' && typeof c.queueSettings === 'function' ? (c as FleetControl) : null;
}

export function createFleetService(executor: RunExecutor): Pick<Api, 'listWorkers' | 'queueSettings' | 'setQueue'> {
  const control = fleetControl(executor);
  return {
    async listWorkers(): Promise<FleetStatus> {
      return control ? control.fleetStatus() : { queue: null, connected: false, error: null, protocol: FLEET_PROTOCOL, workers: [] };
    },
    async queueSettings(): Promise<QueueSettings> {
      return control ? control.queueSettings() : { queue: null, active: 0 };
    },
    async setQueue(req: { url: string | null }): Promise<QueueSettings> {
      if (!control) throw new EffconvError('INVALID_ARGUMENT', 'this command runs its runs itself; give it --queue URL to use a fleet', 'queue');
      return control.setQueue(req.url);
    },
  };
}
