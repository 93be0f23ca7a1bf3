// Entry point of the effconv command.
import { main } from './main';

// Exit explicitly: a WebGPU device or a wasm thread pool would otherwise keep Node alive.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`effconv: ${String(e)}\n`);
    process.exit(1);
  },
);
