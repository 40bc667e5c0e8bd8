import { TomlRule } from '../types';

/**
 * deployment.toml that does not parse. The config mapper then stops the server ("Error parsing deployment
 * configuration", wso2/config-mapper v1.0.23 `TomlParser.java`; carbon-kernel v4.9.26 `Main.java` l.236-238 exits).
 * The message is the parser's own (toml-eslint-parser, TOML 1.0.0). The runtime parses TOML 0.5 (cava-toml 0.5.0), so
 * a file this parser accepts may still be refused there (e.g. arrays mixing types).
 */
export const tomlSyntax: TomlRule = {
  id: 'toml-syntax',
  defaultSeverity: 'error',
  description: 'deployment.toml is not valid TOML (duplicate keys or tables, unterminated strings, …): the server will not start; or one key is set through two spellings.',
  check({ model, report }) {
    // The parser stops at the first error it meets (not always the first in the file); each one found is reported
    // and the rules ran on the file without the lines (or the table) in error.
    const errors = [...model.doc.errors].sort((a, b) => a.span.start - b.span.start);
    errors.forEach((error) => {
      const tail = model.doc.partial ? ' The other rules checked the file without this line (or table).' : '';
      report({
        span: error.span,
        message: `${error.message}. The server refuses to start on an invalid deployment.toml ("Error parsing deployment configuration").${tail}`,
        data: { parserMessage: error.message },
      });
    });
    // TOML 0.5 (cava-toml 0.5.0, what WSO2 parses with) requires every element of an array to have one type; TOML 1.0
    // lifted that. How cava reacts was not verified, so this is a warning that names the risk.
    for (const entry of model.doc.entries) {
      if (!Array.isArray(entry.value) || entry.value.length < 2) continue;
      const kinds = new Set(entry.value.map(kindOf));
      if (kinds.size < 2) continue;
      report({
        span: entry.valueSpan,
        severity: 'warning',
        message: `This array mixes ${[...kinds].join(' and ')} values: valid TOML 1.0, but WSO2 parses deployment.toml as TOML 0.5 (cava-toml 0.5.0), which requires one type per array, so the server may refuse it. Use one type.`,
        data: { mixedArray: [...kinds] },
      });
    }
    // The same key written through two spellings (key-mappings.json renames one onto the other) is no TOML error,
    // but the config mapper keeps only the later one (a LinkedHashMap put, wso2/config-mapper KeyMapper.java): the
    // duplicate the parser would have refused, one level up.
    for (const [key, entries] of model.userEntries) {
      if (entries.length < 2) continue;
      const last = entries[entries.length - 1];
      const lastLine = model.doc.lines.positionAt(last.keySpan.start).line + 1;
      for (const entry of entries.slice(0, -1)) {
        if (entry.key === last.key) continue;
        report({
          span: entry.keySpan,
          severity: 'warning',
          message: `${entry.key} and ${last.key} (line ${lastLine}) both set ${key} (key-mappings.json): the config mapper keeps only the later one, so this line has no effect. Keep one of them.`,
          data: { mappedKey: key, duplicateOf: last.key, line: lastLine },
        });
      }
    }
  },
};

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value !== null && typeof value === 'object') return 'table';
  return typeof value;
}
