// npm run bench: engine step times per backend (later: PyTorch beside us, the data loader).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { BackendName } from '../main/engine/backends/probe';
import { availableBackends, benchEngineSteps } from './engine-steps';

const { values } = parseArgs({
  options: {
    json: { type: 'string' },
    backends: { type: 'string' },
    reps: { type: 'string', default: '5' },
    cpu: { type: 'boolean', default: false },
  },
});
const backends = values.backends ? (values.backends.split(',') as BackendName[]) : await availableBackends(values.cpu!);
const rows = await benchEngineSteps(backends, Number(values.reps));
console.log('ResNet-20, 3×32×32 CIFAR-10 images, batch 64 (median ms per step)');
for (const r of rows) console.log(`${r.backend.padEnd(11)} ${r.case.padEnd(24)} ${r.medianMs.toFixed(1).padStart(9)} ms  (${r.reps} reps)`);
if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), rows }, null, 2));
process.exit(0);
