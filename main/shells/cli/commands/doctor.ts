// effconv doctor: every backend with its availability and the reason (the Api's doctor).
import { parse } from '../args';
import { withCliService } from '../cli-service';

export async function doctorCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' } });
  const r = await withCliService((s) => s.api.doctor());
  if (values.json) {
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    return 0;
  }
  for (const b of r.backends) {
    const mark = b.available ? (b.manualOnly ? 'manual' : 'yes') : 'no';
    const chosen = r.auto === b.name ? '  ← chosen automatically' : '';
    process.stdout.write(`${b.name.padEnd(11)} ${mark.padEnd(7)} ${b.reason}${chosen}\n`);
  }
  return 0;
}
