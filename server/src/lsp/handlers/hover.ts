import { pathToFileURL } from 'node:url';
import { Definition, DefinitionParams, Hover, HoverParams, MarkupKind } from 'vscode-languageserver/node';
import { ServerContext } from '../server';
import { openState } from './context';

/**
 * Hover and go-to-definition: what the core answers at the cursor (service.hover: Secure Vault aliases, port values,
 * `${Ports.…}` references, `<Offset>`; service.definition: an alias's line in the cipher-text file the runtime reads).
 */
export function registerHover(context: ServerContext): void {
  context.addHoverProvider(async (params: HoverParams): Promise<Hover | null> => {
    const open = context.openText(params.textDocument.uri);
    if (!open) return null;
    const answer = await context.service.hover({ path: open.path, content: open.content, settings: context.settingsFor(open.path), offset: open.document.offsetAt(params.position) });
    if (!answer) return null;
    return {
      contents: { kind: MarkupKind.Markdown, value: answer.markdown },
      range: { start: open.document.positionAt(answer.span.start), end: open.document.positionAt(answer.span.end) },
    };
  });
}

export function registerDefinition(context: ServerContext): void {
  context.addDefinitionProvider(async (params: DefinitionParams): Promise<Definition | null> => {
    const open = context.openText(params.textDocument.uri);
    if (!open) return null;
    const answer = await context.service.definition({ path: open.path, content: open.content, settings: context.settingsFor(open.path), offset: open.document.offsetAt(params.position) });
    if (!answer) return null;
    const uri = openState(context, answer.path)?.uri ?? pathToFileURL(answer.path).toString();
    return { uri, range: { start: { line: answer.line, character: answer.startCharacter }, end: { line: answer.line, character: answer.endCharacter } } };
  });
}
