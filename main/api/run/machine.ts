// The machine a run is computed on, recorded in its config for reports.
import { cpus, release, totalmem, type } from 'node:os';
import type { MachineRecord } from '../../contract/config';

export function machineRecord(device: string): MachineRecord {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() || 'unknown CPU',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()} ${process.arch}`,
    node: process.versions.node,
    device,
  };
}
