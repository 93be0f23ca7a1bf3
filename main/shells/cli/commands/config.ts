// effconv config validate FILE: the JSON Schema, then the channel chain, sizes 1…7 and
// params.total; the first wrong field is named. When the config records weights and they
// are beside it, their sha256 and tensor shapes are checked too.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EffconvError } from '../../../contract/errors';
import { validateConfigFile } from '../../../export/config-validate';
import { readEngineWeights } from '../../../export/weights';
import { backboneName } from '../../../engine/models/backbone';
import { parse } from '../args';

export async function configCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'validate') {
    throw new EffconvError('INVALID_ARGUMENT', `effconv config: unknown subcommand ${sub === undefined ? '(none)' : `"${sub}"`}; use: effconv config validate FILE`, 'subcommand');
  }
  const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new EffconvError('INVALID_ARGUMENT', 'effconv config validate needs one FILE', 'file');
  const file = positionals[0];
  const { config, net, sizes } = validateConfigFile(file);
  let weights = 'no weights recorded (a search-only config)';
  if (config.weights) {
    const path = join(dirname(file), config.weights.file);
    if (existsSync(path)) {
      readEngineWeights(path, config.weights, net, sizes);
      weights = `${config.weights.file}: sha256 and every tensor's shape match`;
    } else weights = `${config.weights.file} is not beside the file (not checked)`;
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ file, valid: true, backbone: backboneName(config.backbone), sizes, params: config.params.total, weights }, null, 2) + '\n');
  } else {
    process.stdout.write(`${file}: valid effconv.config v1 — ${backboneName(config.backbone)}, sizes ${sizes.join(' ')}, ${config.params.total.toLocaleString('en-US')} parameters; ${weights}\n`);
  }
  return 0;
}
