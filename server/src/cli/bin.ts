import { runCli } from './main';
import { promptHidden } from './prompt';

runCli(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s), {
  stderrIsTTY: process.stderr.isTTY === true,
  columns: process.stderr.columns,
  env: process.env,
  promptSecret: process.stdin.isTTY && process.stderr.isTTY ? (prompt) => promptHidden(prompt) : undefined,
}).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 2;
  },
);
