import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpusDir } from '../../helpers';
import { elementText, parseXml, walkElements, XmlDocument } from '../../../server/src/service/model/xml';
import { ProductHome, homeOfConfDir } from '../../../server/src/service/workspace/files';
import { Fix, applyReplacements } from '../../../server/src/service/fixes/types';
import { parseProperties } from '../../../server/src/service/fixes/properties';
import { verifyKeystore } from '../../../server/src/service/keystore';
import {
  SecureVaultKey,
  SecureVaultPlan,
  planSecureVault,
  planSecureVaultForFile,
  planSecureVaultForFiles,
  resolveKeystore,
  secureVaultFiles,
  secureVaultKey,
} from '../../../server/src/service/fixes/secure-vault';
import { AnalysedFile, analyseFile, applyFixToDisk, configFilesOf, copyTree, javaCheck, lineAt, lineDiff, readText, splitLines, tempDir, writeText } from './support';

/**
 * The fix on a real product: the APIM 2.6.0 configuration, in its own `repository/conf` layout and rebuilt as a
 * `conf/` home (EI, IoT Server), with the default wso2carbon.jks. Every plaintext password the analysis reports is
 * encrypted, and the JDK (Cipher.getInstance("RSA") and the keystore's private key, XPath on the tool's DOM) checks
 * the result the way the runtime and the cipher tool read it. The real cipher tool's output on the same files
 * (corpus/ciphertool-run/after-conf) is the reference for aliases, marked elements and secret-conf keys.
 */

const corpus = corpusDir();
const SKIP = corpus ? false : 'corpus not found beside the project (../shared/corpus): the real-home tests need it';
const WSO2CARBON_SHA1 = '501FC1432D87155DC431382AEB843ED558AD61B1';
const STORE_PASSWORD = 'wso2carbon';

function buildHome(layout: 'repository/conf' | 'conf'): ProductHome {
  const dir = tempDir(layout === 'conf' ? 'conf-home' : 'repo-home');
  const confDir = layout === 'conf' ? path.join(dir, 'conf') : path.join(dir, 'repository', 'conf');
  copyTree(path.join(corpus!, 'apim-2.6.0', 'repository', 'conf'), confDir);
  const security = path.join(dir, 'repository', 'resources', 'security');
  fs.mkdirSync(security, { recursive: true });
  fs.copyFileSync(path.join(corpus!, 'kernel-4.4.35/repository/resources/security/wso2carbon.jks'), path.join(security, 'wso2carbon.jks'));
  if (layout === 'conf') {
    // A conf/ home's cipher-tool lines name conf/… paths (EI 6.5.0, IoT Server 3.1.0).
    const tool = path.join(confDir, 'security', 'cipher-tool.properties');
    writeText(tool, readText(tool)!.replace(/repository\/conf\//g, 'conf/'));
  }
  const home = homeOfConfDir(confDir.replace(/\\/g, '/'));
  assert.ok(home);
  assert.equal(home.layout, layout);
  return home;
}

/** What the language server / CLI wiring does: resolve the keystore, read its bytes, verify it, take its certificate. */
function keyOf(home: ProductHome, typedPassword?: string): SecureVaultKey {
  const files = secureVaultFiles(home);
  const carbonText = readText(files.carbonXml);
  const keystore = resolveKeystore({ home, secretConf: readText(files.secretConf), carbonXml: carbonText ? parseXml(carbonText) : undefined });
  if (!keystore.ok) assert.fail(keystore.error.message);
  const certificate = verifyKeystore({
    bytes: fs.existsSync(keystore.value.path) ? fs.readFileSync(keystore.value.path) : undefined,
    type: keystore.value.type,
    alias: keystore.value.alias,
    storePassword: typedPassword ?? keystore.value.passwordFromCarbonXml,
    label: keystore.value.path,
  });
  if (!certificate.ok) assert.fail(certificate.error.message);
  return secureVaultKey(keystore.value, certificate.value);
}

function securityOf(home: ProductHome) {
  const files = secureVaultFiles(home);
  return { cipherText: readText(files.cipherText), cipherTool: readText(files.cipherTool), secretConf: readText(files.secretConf) };
}

/** The decoded secret a finding covers (element text or attribute value), as the runtime reads it. */
function secretOf(doc: XmlDocument, span: { start: number; end: number }): string {
  for (const element of walkElements(doc.root)) {
    for (const attr of element.attributes) if (attr.valueSpan.start === span.start && attr.valueSpan.end === span.end) return attr.value;
    const text = elementText(doc, element);
    if (text?.span && text.span.start === span.start && text.span.end === span.end) return text.value;
  }
  throw new Error('no secret at the finding');
}

/**
 * Every XML change of a fix: well-formed after, and the line diff touches exactly the lines of its edits (the root's
 * start-tag line, the secret's line, the line of the element's last attribute); added lines are only those edits.
 */
function checkXmlChanges(fix: Fix): void {
  for (const change of fix.changes) {
    if (!change.path.endsWith('.xml')) continue;
    assert.equal(change.kind, 'edit', 'an XML file is edited, never re-created');
    if (change.kind !== 'edit') continue;
    const after = applyReplacements(change.baseText, change.replacements);
    assert.equal(parseXml(after).syntaxError, undefined, `${change.path} stays well-formed`);
    const expected = [...new Set(change.replacements.map((r) => lineAt(change.baseText, r.span.start)))].sort((a, b) => a - b);
    const diff = lineDiff(change.baseText, after);
    assert.deepEqual(diff.removed, expected, `${change.path}: only the edited lines change`);
    const newLines = change.replacements.reduce((n, r) => n + splitLines(r.newText).length - 1, 0);
    assert.equal(diff.added.length, expected.length + newLines, `${change.path}: no line appears besides the edited ones`);
    const afterLines = splitLines(after);
    const beforeLines = splitLines(change.baseText);
    for (const i of diff.added) {
      // An edit line, or a removed line split where the alias attribute got a line of its own.
      const isSplit = diff.removed.some((r) => afterLines[i].length > 0 && beforeLines[r].startsWith(afterLines[i]));
      assert.ok(/svns|password/.test(afterLines[i]) || isSplit, `${change.path}: added line ${i + 1} is an edit`);
    }
    // Line endings and the XML declaration stay as they were.
    assert.equal((after.match(/\r\n/g) ?? []).length - (change.baseText.match(/\r\n/g) ?? []).length, change.baseText.includes('\r\n') ? newLines : 0);
    const firstLine = splitLines(change.baseText)[0];
    if (firstLine.startsWith('<?xml')) assert.equal(splitLines(after)[0], firstLine, `${change.path}: the XML declaration is kept`);
  }
}

/** Marked elements of a document: element path (with the datasource name when there is one) → alias. */
function markedElements(doc: XmlDocument): Map<string, string> {
  const marked = new Map<string, string>();
  for (const element of walkElements(doc.root)) {
    const alias = element.attributes.find((a) => a.name === 'svns:secretAlias');
    if (!alias) continue;
    const steps: string[] = [];
    for (let e: typeof element | undefined = element; e; e = e.parent) {
      const name = e.children.find((c) => c.type === 'element' && c.localName === 'name');
      steps.unshift(e.localName + (e.localName === 'datasource' && name && name.type === 'element' ? `[${name.text.trim()}]` : ''));
    }
    marked.set(steps.join('/'), alias.value);
  }
  return marked;
}

/** The findings the fix may encrypt: not those the runtime reads without Secure Vault (`encryptable: false`). */
function encryptable(passwords: AnalysedFile['passwords']): AnalysedFile['passwords'] {
  return passwords.filter((f) => (f.data as { encryptable?: boolean } | undefined)?.encryptable !== false);
}

/** axis2.xml's wss sender ws.trust.store.Password: carbon-mediation reads it in plain text before 4.7.256. */
function isWsTrustStore(f: AnalysedFile['passwords'][number]): boolean {
  return (f.data as { unresolvable?: string } | undefined)?.unresolvable === 'ws-trust-store';
}

function messagesOf(plan: SecureVaultPlan): string[] {
  return [plan.fix?.title ?? '', ...plan.notes, ...plan.skipped.map((s) => s.reason)];
}

// ---- repository/conf layout: one fix per password, as a user clicking each diagnostic ---------------------------------

test('APIM 2.6.0 home (repository/conf): each plaintext password fixed one by one decrypts with the JDK, the rest of every file intact', { skip: SKIP }, async () => {
  const home = buildHome('repository/conf');
  const expected = new Map<string, string>();
  const files = configFilesOf(home.confDir);
  let fixes = 0;
  let unencryptable = 0;
  for (const file of files) {
    let analysed = await analyseFile(file);
    const initial = analysed.passwords.length;
    for (let round = 0; encryptable(analysed.passwords).length > 0; round++) {
      assert.ok(round < 50, 'each fix removes a finding');
      const finding = encryptable(analysed.passwords)[0];
      const secret = secretOf(analysed.doc, finding.span);
      const planned = planSecureVault({
        file: { location: analysed.location, doc: analysed.doc, findings: analysed.passwords },
        finding,
        security: securityOf(home),
        key: keyOf(home),
      });
      if (!planned.ok) assert.fail(`${file}: ${planned.error.message}`);
      const plan = planned.value;
      assert.ok(plan.fix);
      assert.equal(plan.fix.title, 'Encrypt with Secure Vault');
      assert.equal(plan.fix.isPreferred, true);
      assert.equal(plan.encrypted.length, 1);
      const alias = plan.encrypted[0].alias;
      assert.equal(alias, (finding.data as { alias: string }).alias, 'the alias the rule proposes');
      expected.set(alias, secret);
      checkXmlChanges(plan.fix);
      applyFixToDisk(plan.fix);
      fixes++;

      const again = await analyseFile(file);
      assert.equal(again.passwords.length, analysed.passwords.length - 1, `${alias}: its finding is gone`);
      assert.ok(!again.passwords.some((f) => (f.data as { alias: string }).alias === alias));
      // The stale finding no longer plans anything.
      const stale = planSecureVault({ file: { location: again.location, doc: again.doc, findings: again.passwords }, finding, security: securityOf(home), key: keyOf(home) });
      assert.equal(stale.ok, false);
      analysed = again;
    }
    // Planning the whole file again: nothing to do.
    const rest = planSecureVaultForFile({ file: { location: analysed.location, doc: analysed.doc, findings: analysed.passwords }, security: securityOf(home), key: keyOf(home) });
    assert.ok(rest.ok);
    assert.equal(rest.value.fix, undefined, `${file}: nothing left (had ${initial})`);
    // An unencryptable secret is never encrypted; it is reported as skipped, with the reason, so no front hides it.
    assert.deepEqual(
      rest.value.skipped.map((s) => s.code),
      analysed.passwords.filter(isWsTrustStore).map(() => 'not-encryptable'),
      `${file}: only the unencryptable secret is left, reported as skipped`,
    );
    unencryptable += analysed.passwords.filter(isWsTrustStore).length;
    assert.equal(analysed.passwords.length, analysed.passwords.filter(isWsTrustStore).length, `${file}: only ws.trust.store.Password stays in plain text`);
  }
  // 19 in the six files (ws.trust.store.Password excluded) + broker.xml's 4; api-manager.xml holds only ${admin.password}.
  assert.equal(fixes, 22, 'the 22 plaintext passwords Secure Vault can protect in the APIM 2.6.0 files');
  assert.equal(unencryptable, 1, "axis2.xml's ws.trust.store.Password is reported but never encrypted");

  // The JDK's view: secret-conf -> wso2carbon.jks; every cipher-text value decrypts to its password; every
  // cipher-tool line selects exactly the marked element.
  const java = javaCheck(home.confDir, home.homeDir, STORE_PASSWORD, STORE_PASSWORD);
  assert.equal(java.keystoreSha1, WSO2CARBON_SHA1);
  assert.equal(java.decrypted.size, expected.size, 'one cipher-text entry per alias, the shipped [plaintext] ones included');
  for (const [alias, secret] of expected) assert.equal(java.decrypted.get(alias), secret, alias);
  assert.equal(java.xpath.size, expected.size, 'one cipher-tool line per alias');
  for (const [alias, line] of java.xpath) {
    assert.equal(line.count, 1, `${alias}: the XPath selects one element`);
    assert.equal(line.nodeAlias, alias, `${alias}: the element carries the alias`);
    assert.equal(line.secured, 'password', `${alias}: the tool would read the placeholder`);
    assert.equal(line.attribute, alias === 'Server.Service.Connector.keystorePass' ? 'keystorePass' : undefined);
  }

  compareWithCipherTool(home);
});

/** What the real cipher tool wrote for the same files (corpus/ciphertool-run/after-conf). */
function compareWithCipherTool(home: ProductHome): void {
  const reference = path.join(corpus!, 'ciphertool-run', 'after-conf');
  for (const rel of ['carbon.xml', 'user-mgt.xml', 'datasources/master-datasources.xml', 'tomcat/catalina-server.xml']) {
    const theirs = parseXml(fs.readFileSync(path.join(reference, rel), 'latin1'));
    const oursText = readText(path.join(home.confDir, rel))!;
    const ours = parseXml(oursText);
    assert.equal(ours.root?.attributes.find((a) => a.name === 'xmlns:svns')?.value, 'http://org.wso2.securevault/configuration', `${rel}: the root declares the namespace`);
    const theirMarks = markedElements(theirs);
    const ourMarks = markedElements(ours);
    assert.ok(theirMarks.size > 0);
    for (const [where, alias] of theirMarks) assert.equal(ourMarks.get(where), alias, `${rel}: ${where} carries ${alias} as with the tool`);
    // Element secrets: the tool's line and ours are the same text (the tool reformats only around them).
    if (rel !== 'tomcat/catalina-server.xml') {
      const theirLines = new Set(splitLines(fs.readFileSync(path.join(reference, rel), 'latin1')).filter((l) => l.includes('svns:secretAlias=')).map((l) => l.trim()));
      const ourLines = new Set(splitLines(oursText).map((l) => l.trim()));
      for (const line of theirLines) if (!line.startsWith('<!--') && !line.includes('WSO2.DB.Password')) assert.ok(ourLines.has(line), `${rel}: ${line}`);
    }
  }
  const theirText = new Set(parseProperties(fs.readFileSync(path.join(reference, 'security/cipher-text.properties'), 'latin1')).entries.map((e) => e.key));
  const ourText = new Set(parseProperties(readText(path.join(home.confDir, 'security/cipher-text.properties'))!).entries.map((e) => e.key));
  for (const alias of theirText) assert.ok(ourText.has(alias), `cipher-text.properties holds ${alias}`);

  const theirConf = new Map(parseProperties(fs.readFileSync(path.join(reference, 'security/secret-conf.properties'), 'latin1')).entries.map((e) => [e.key, e.value]));
  const ourConf = new Map(parseProperties(readText(path.join(home.confDir, 'security/secret-conf.properties'))!).entries.map((e) => [e.key, e.value]));
  for (const [key, value] of theirConf) {
    if (key === 'keystore.identity.location') {
      // The tool writes this machine's absolute path; the fix writes it relative to the home (the server's working
      // directory), like secretRepositories.file.location.
      assert.equal(ourConf.get(key), 'repository/resources/security/wso2carbon.jks');
      assert.ok(value.endsWith(`/${ourConf.get(key)}`));
    } else if (key === 'secretRepositories.file.location') {
      assert.equal(ourConf.get(key), `${home.layout}/security/cipher-text.properties`);
    } else {
      assert.equal(ourConf.get(key), value, key);
    }
  }
  assert.deepEqual([...ourConf.keys()].filter((k) => !theirConf.has(k)), ['secVault.enabled'], 'the one key 1.1.x adds');

  // cipher-tool.properties: the shipped file's lines all stay, in order; only new aliases are added.
  const before = fs.readFileSync(path.join(corpus!, 'apim-2.6.0/repository/conf/security/cipher-tool.properties'), 'latin1');
  const diff = lineDiff(before, readText(path.join(home.confDir, 'security/cipher-tool.properties'))!);
  assert.deepEqual(diff.removed, []);
  // 22 aliases, 6 of them already listed by the shipped file.
  assert.equal(diff.added.length, 16);
}

// ---- conf/ layout: planted passwords, the whole home in one fix -------------------------------------------------------

test('conf/ home: planted passwords (XML entities, non-ASCII) of every file encrypted in one fix; nothing leaks into messages', { skip: SKIP }, async () => {
  const home = buildHome('conf');
  const planted = new Map<string, string>();
  let n = 0;
  // Give every secret its own value, so a decryption that picks the wrong entry cannot pass.
  for (const file of configFilesOf(home.confDir)) {
    const analysed = await analyseFile(file);
    if (analysed.passwords.length === 0) continue;
    const utf8 = !/encoding="ISO-8859-1"/i.test(analysed.doc.text.slice(0, 100));
    const replacements = analysed.passwords.map((f) => {
      const secret = `Pl&nt<${++n}>"é'${utf8 ? '密🔑' : 'ü'}`;
      const escaped = secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
      return { span: f.span, newText: escaped, secret };
    });
    writeText(file, applyReplacements(analysed.doc.text, replacements));
    const replanted = await analyseFile(file);
    assert.equal(replanted.passwords.length, replacements.length, `${file}: the planted secrets are still findings`);
    replanted.passwords.forEach((f, i) => {
      assert.equal(secretOf(replanted.doc, f.span), replacements[i].secret);
      if (!isWsTrustStore(f)) planted.set((f.data as { alias: string }).alias, replacements[i].secret);
    });
  }
  assert.equal(planted.size, 22);

  const analysed: AnalysedFile[] = [];
  for (const file of configFilesOf(home.confDir)) analysed.push(await analyseFile(file));
  const planned = planSecureVaultForFiles({
    files: analysed.map((a) => ({ location: a.location, doc: a.doc, findings: a.passwords })),
    security: securityOf(home),
    // carbon.xml's keystore password is a planted one now: the user types the store's (the editor asks).
    key: keyOf(home, STORE_PASSWORD),
  });
  if (!planned.ok) assert.fail(planned.error.message);
  const plan = planned.value;
  assert.ok(plan.fix);
  assert.equal(plan.encrypted.length, 22);
  // axis2.xml's wss sender ws.trust.store.Password: read as plain text by that carbon-mediation, so never encrypted.
  assert.deepEqual(plan.skipped.map((s) => [path.basename(s.path), s.line, s.code]), [['axis2.xml', 622, 'not-encryptable']]);
  const touched = plan.fix.changes.map((c) => `${c.kind} ${path.relative(home.confDir, c.path)}`).sort();
  assert.deepEqual(touched, [
    'create security/secret-conf.properties',
    'edit axis2/axis2.xml',
    'edit broker.xml',
    'edit carbon.xml',
    'edit datasources/master-datasources.xml',
    'edit security/cipher-text.properties',
    'edit security/cipher-tool.properties',
    'edit tomcat/catalina-server.xml',
    'edit user-mgt.xml',
  ]);
  checkXmlChanges(plan.fix);

  // No message, title or note holds a secret; the new files hold ciphertexts only.
  const texts = [...messagesOf(plan), ...plan.fix.changes.map((c) => (c.kind === 'create' ? c.text : c.replacements.map((r) => r.newText).join('\n')))];
  for (const secret of planted.values()) {
    for (const text of texts) {
      assert.ok(!text.includes(secret), 'a planted secret appears in the fix output');
      assert.ok(!text.includes(secret.replace(/&/g, '&amp;').replace(/</g, '&lt;')), 'an escaped secret appears in the fix output');
    }
  }
  applyFixToDisk(plan.fix);

  const java = javaCheck(home.confDir, home.homeDir, STORE_PASSWORD, STORE_PASSWORD);
  assert.equal(java.keystoreSha1, WSO2CARBON_SHA1);
  for (const [alias, secret] of planted) assert.equal(java.decrypted.get(alias), secret, alias);
  for (const [alias, line] of java.xpath) {
    assert.equal(line.count, 1, alias);
    assert.equal(line.nodeAlias, alias, alias);
    assert.ok(line.file.startsWith('conf/'), `${alias}: ${line.file} uses the conf/ layout`);
  }
  const secretConf = new Map(parseProperties(readText(path.join(home.confDir, 'security/secret-conf.properties'))!).entries.map((e) => [e.key, e.value]));
  assert.equal(secretConf.get('secretRepositories.file.location'), 'conf/security/cipher-text.properties');
  assert.equal(secretConf.get('keystore.identity.location'), 'repository/resources/security/wso2carbon.jks');

  // Re-analysed: no plaintext password left; planning the home again does nothing.
  const after: AnalysedFile[] = [];
  for (const file of configFilesOf(home.confDir)) after.push(await analyseFile(file));
  assert.deepEqual(after.flatMap((a) => encryptable(a.passwords)), []);
  assert.deepEqual(after.flatMap((a) => a.passwords).map(isWsTrustStore), [true], 'only the secret Secure Vault cannot protect is left');
  assert.deepEqual(after.flatMap((a) => a.findings.filter((f) => f.ruleId === 'xml-syntax')), []);
  const again = planSecureVaultForFiles({ files: after.map((a) => ({ location: a.location, doc: a.doc, findings: a.passwords })), security: securityOf(home), key: keyOf(home) });
  assert.ok(again.ok);
  assert.equal(again.value.fix, undefined);
});
