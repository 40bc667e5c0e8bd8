import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import type { CreateFile, TextDocumentEdit } from 'vscode-languageserver/node';
import { StaleFixError, toWorkspaceEdit, workspaceEditSupport } from '../../../server/src/lsp/handlers/workspace-edit';
import { Fix } from '../../../server/src/service/fixes/types';

const CARBON = '/home/p/repository/conf/carbon.xml';
const CIPHER_TEXT = '/home/p/repository/conf/security/cipher-text.properties';
const SECRET_CONF = '/home/p/repository/conf/security/secret-conf.properties';
const CARBON_TEXT = '<Server>\r\n  <Password>x</Password>\n</Server>\n';
const CIPHER_TEXT_TEXT = '# aliases\nA=[a]\n';

const FIX: Fix = {
  title: 'Encrypt with Secure Vault',
  ruleId: 'plaintext-password',
  changes: [
    {
      kind: 'edit',
      path: CARBON,
      baseText: CARBON_TEXT,
      replacements: [
        { span: { start: 21, end: 22 }, newText: 'password' },
        { span: { start: 20, end: 20 }, newText: ' svns:secretAlias="A"' },
      ],
    },
    { kind: 'edit', path: CIPHER_TEXT, baseText: CIPHER_TEXT_TEXT, replacements: [{ span: { start: 12, end: 15 }, newText: 'QUJD' }] },
    { kind: 'create', path: SECRET_CONF, text: 'secretRepositories=file\n' },
  ],
};

const FULL = { documentChanges: true, createFiles: true };
const uri = (p: string) => pathToFileURL(p).toString();

test('documentChanges: open documents carry their version, closed ones null, a new file is created then filled', () => {
  const edit = toWorkspaceEdit(FIX, FULL, (p) => (p === CARBON ? { uri: 'file:///home/p/repository/conf/carbon.xml', version: 7, text: CARBON_TEXT } : undefined));
  assert.equal(edit.changes, undefined);
  const changes = edit.documentChanges as (TextDocumentEdit | CreateFile)[];
  assert.deepEqual(changes, [
    {
      textDocument: { uri: 'file:///home/p/repository/conf/carbon.xml', version: 7 },
      edits: [
        // Line 1 starts after the CRLF; positions come from the base text.
        { range: { start: { line: 1, character: 11 }, end: { line: 1, character: 12 } }, newText: 'password' },
        { range: { start: { line: 1, character: 10 }, end: { line: 1, character: 10 } }, newText: ' svns:secretAlias="A"' },
      ],
    },
    { textDocument: { uri: uri(CIPHER_TEXT), version: null }, edits: [{ range: { start: { line: 1, character: 2 }, end: { line: 1, character: 5 } }, newText: 'QUJD' }] },
    { kind: 'create', uri: uri(SECRET_CONF), options: { overwrite: false, ignoreIfExists: false } },
    { textDocument: { uri: uri(SECRET_CONF), version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: 'secretRepositories=file\n' }] },
  ]);
});

test('without documentChanges (or without create support) the changes map is used', () => {
  for (const support of [{ documentChanges: false, createFiles: false }, { documentChanges: true, createFiles: false }]) {
    const edit = toWorkspaceEdit(FIX, support, () => undefined);
    assert.equal(edit.documentChanges, undefined);
    assert.deepEqual(Object.keys(edit.changes!), [uri(CARBON), uri(CIPHER_TEXT), uri(SECRET_CONF)]);
    assert.deepEqual(edit.changes![uri(SECRET_CONF)], [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: 'secretRepositories=file\n' }]);
  }
  // Without a new file, documentChanges is used even without create support.
  const edit = toWorkspaceEdit({ ...FIX, changes: FIX.changes.slice(0, 2) }, { documentChanges: true, createFiles: false }, () => undefined);
  assert.equal((edit.documentChanges as TextDocumentEdit[]).length, 2);
});

test('a fix computed on another text than the open document is refused', () => {
  assert.throws(
    () => toWorkspaceEdit(FIX, FULL, (p) => (p === CARBON ? { uri: uri(CARBON), version: 8, text: CARBON_TEXT + ' ' } : undefined)),
    (error: unknown) => error instanceof StaleFixError && error.path === CARBON,
  );
});

test('two changes to one file become one TextDocumentEdit', () => {
  const fix: Fix = {
    title: 't',
    ruleId: undefined,
    changes: [
      { kind: 'edit', path: CIPHER_TEXT, baseText: CIPHER_TEXT_TEXT, replacements: [{ span: { start: 0, end: 1 }, newText: '!' }] },
      { kind: 'edit', path: CIPHER_TEXT, baseText: CIPHER_TEXT_TEXT, replacements: [{ span: { start: 16, end: 16 }, newText: 'B=[b]\n' }] },
    ],
  };
  const changes = toWorkspaceEdit(fix, FULL, () => undefined).documentChanges as TextDocumentEdit[];
  assert.equal(changes.length, 1);
  assert.equal(changes[0].edits.length, 2);
});

test('client capabilities', () => {
  assert.deepEqual(workspaceEditSupport(undefined), { documentChanges: false, createFiles: false });
  assert.deepEqual(workspaceEditSupport({ workspace: { workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'] } } }), FULL);
  assert.deepEqual(workspaceEditSupport({ workspace: { workspaceEdit: { documentChanges: true } } }), { documentChanges: true, createFiles: false });
});
