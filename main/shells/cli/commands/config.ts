// effconv config validate FILE: the Api's validateConfig (the JSON Schema, then the channel
// chain, sizes 1…7 and params.total; the first wrong field is named; recorded weights beside
// the file are checked too). `train --config` runs the same check.
import { EffconvError } from '../../../contract/errors';
import { parse } from '../args';
import { withCliService } from '../cli-service';

export async function configCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'validate') {
    throw new EffconvError('INVALID_ARGUMENT', `effconv config: unknown subcommand ${sub === undefined ? '(none)' : `"${sub}"`}; use: effconv config validate FILE`, 'subcommand');
  }
  const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new EffconvError('INVALID_ARGUMENT', 'effconv config validate needs one FILE', 'file');
  const r = await withCliService((s) => s.api.validateConfig(positionals[0]));
  if (values.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else process.stdout.write(`${r.file}: valid effconv.config v1 — ${r.backbone}, sizes ${r.sizes.join(' ')}, ${r.params.toLocaleString('en-US')} parameters; ${r.weights}\n`);
  return 0;
}
