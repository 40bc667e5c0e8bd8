/**
 * Asks for a secret on the terminal without echoing it. Undefined when there is no terminal to ask on, or when the
 * user cancels (Ctrl-C, Escape). What is typed lives in a local string only; nothing of it is written anywhere.
 */
export function promptHidden(prompt: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string | undefined> {
  if (!input.isTTY || typeof input.setRawMode !== 'function') return Promise.resolve(undefined);
  output.write(prompt);
  return new Promise((resolve) => {
    let value = '';
    const wasRaw = input.isRaw;
    const finish = (result: string | undefined) => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      resolve(result);
    };
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      for (const ch of text) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish(value);
        if (ch === '\u0003' || ch === '\u001b') return finish(undefined);
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}
