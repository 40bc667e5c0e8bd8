import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpusDir, projectRoot } from '../../helpers';

/**
 * The TextMate grammars of syntaxes/: valid JSON with the right scope names, every regex compiles, every include
 * resolves, and the patterns capture what they claim on real lines.
 *
 * Limitation: editors run these regexes with Oniguruma; without adding a dependency (vscode-oniguruma) they are
 * compiled here with JavaScript's RegExp. The grammars keep to the syntax both engines share (no \h, \A, \G, \z,
 * possessive quantifiers or inline flags), so a regex that compiles here has the same meaning there, but an
 * Oniguruma-only construct added later would be reported as a failure rather than checked.
 */

interface Rule {
  name?: string;
  match?: string;
  begin?: string;
  end?: string;
  while?: string;
  include?: string;
  patterns?: Rule[];
  captures?: Record<string, Rule>;
  beginCaptures?: Record<string, Rule>;
  endCaptures?: Record<string, Rule>;
  repository?: Record<string, Rule>;
}

interface Grammar extends Rule {
  scopeName: string;
  injectionSelector?: string;
  fileTypes?: string[];
  repository: Record<string, Rule>;
}

function load(name: string): Grammar {
  return JSON.parse(fs.readFileSync(path.join(projectRoot(), 'syntaxes', name), 'utf8')) as Grammar;
}

const PROPERTIES = load('secure-vault-properties.tmLanguage.json');
const INJECTION = load('secure-vault-xml.injection.tmLanguage.json');
const TOML_INJECTION = load('deployment-toml.injection.tmLanguage.json');

/** Every rule object of a grammar, with where it is. */
function* rules(node: Rule, where: string): Generator<[Rule, string]> {
  yield [node, where];
  for (const [key, child] of Object.entries(node.repository ?? {})) yield* rules(child, `${where}/repository/${key}`);
  for (const [i, child] of (node.patterns ?? []).entries()) yield* rules(child, `${where}/patterns/${i}`);
  for (const field of ['captures', 'beginCaptures', 'endCaptures'] as const) {
    for (const [key, child] of Object.entries(node[field] ?? {})) yield* rules(child, `${where}/${field}/${key}`);
  }
}

for (const [file, grammar] of [
  ['secure-vault-properties', PROPERTIES],
  ['secure-vault-xml.injection', INJECTION],
  ['deployment-toml.injection', TOML_INJECTION],
] as const) {
  test(`${file}: every regex compiles and every include resolves`, () => {
    let regexes = 0;
    for (const [rule, where] of rules(grammar, file)) {
      for (const field of ['match', 'begin', 'end', 'while'] as const) {
        const source = rule[field];
        if (source === undefined) continue;
        regexes++;
        assert.doesNotThrow(() => new RegExp(source), `${where}/${field}: ${source}`);
      }
      if (rule.include !== undefined) {
        assert.match(rule.include, /^#/, `${where}: only repository includes`);
        assert.ok(Object.prototype.hasOwnProperty.call(grammar.repository, rule.include.slice(1)), `${where}: ${rule.include} resolves`);
      }
      if (rule !== grammar && rule.name !== undefined) assert.match(rule.name, /^[a-z0-9-]+(\.[a-z0-9-]+)*( [a-z0-9-]+(\.[a-z0-9-]+)*)*$/, `${where}: scope name ${rule.name}`);
    }
    assert.ok(regexes >= 3, `${regexes} regexes`);
  });
}

test('scope names, file types and the injection selector', () => {
  assert.equal(PROPERTIES.scopeName, 'source.wso2.secure-vault-properties');
  assert.deepEqual(PROPERTIES.fileTypes, ['cipher-text.properties', 'cipher-tool.properties', 'secret-conf.properties']);
  assert.equal(INJECTION.scopeName, 'wso2.secure-vault.xml.injection');
  assert.equal(INJECTION.injectionSelector, 'L:text.xml -comment');
});

// ---- what the patterns capture --------------------------------------------------------------------------------

/** The first top-level rule of the properties grammar that matches the line (TextMate tries them in order), and its captures by scope. */
function classify(line: string): { rule: string; scopes: Record<string, string> } {
  for (const pattern of PROPERTIES.patterns!) {
    const key = pattern.include!.slice(1);
    const rule = PROPERTIES.repository[key];
    const match = new RegExp(rule.match!).exec(line);
    if (!match || match.index !== 0) continue;
    const scopes: Record<string, string> = {};
    for (const [group, capture] of Object.entries(rule.captures ?? {})) {
      if (match[Number(group)] !== undefined && capture.name) scopes[capture.name.split(' ').pop()!] = match[Number(group)];
    }
    return { rule: key, scopes };
  }
  return { rule: 'none', scopes: {} };
}

test('cipher-tool lines: path, XPath and flag', () => {
  const line = "Server.Service.Connector.keystorePass=repository/conf/tomcat/catalina-server.xml//Server/Service/Connector[@keystorePass],true";
  assert.deepEqual(classify(line), {
    rule: 'cipher-tool-entry',
    scopes: {
      'entity.name.alias.secure-vault': 'Server.Service.Connector.keystorePass',
      'punctuation.separator.key-value.properties': '=',
      'string.unquoted.path.secure-vault': 'repository/conf/tomcat/catalina-server.xml',
      'punctuation.separator.xpath.secure-vault': '//',
      'string.regexp.xpath.secure-vault': 'Server/Service/Connector[@keystorePass]',
      'punctuation.separator.comma.secure-vault': ',',
      'constant.language.boolean.secure-vault': 'true',
    },
  });
  const predicate = classify("Datasources.WSO2_CARBON_DB.Configuration.Password=conf/datasources/master-datasources.xml//datasources-configuration/datasources/datasource[name='WSO2_CARBON_DB']/definition[@type='RDBMS']/configuration/password,false");
  assert.equal(predicate.rule, 'cipher-tool-entry');
  assert.equal(predicate.scopes['string.regexp.xpath.secure-vault'], "datasources-configuration/datasources/datasource[name='WSO2_CARBON_DB']/definition[@type='RDBMS']/configuration/password");
  assert.equal(predicate.scopes['constant.language.boolean.secure-vault'], 'false');
  // No flag at all (APIM 2.0.0's identity.xml lines) and a bad one.
  assert.equal(classify('Identity.System.StorePass=repository/conf/identity.xml//Server/Identity/System/StorePass').scopes['string.regexp.xpath.secure-vault'], 'Server/Identity/System/StorePass');
  assert.equal(classify('A.B=repository/conf/carbon.xml//Server/A/B,yes').scopes['invalid.illegal.flag.secure-vault'], 'yes');
  assert.equal(classify('#Carbon.Security.KeyStore.Password=repository/conf/carbon.xml//Server/Security/KeyStore/Password,false').rule, 'comment');
});

test('the [@attribute] of an XPath is highlighted as an attribute name', () => {
  const xpath = PROPERTIES.repository.xpath.patterns![0];
  const match = new RegExp(xpath.match!).exec('Server/Service/Connector[@keystorePass]')!;
  assert.equal(match[3], 'keystorePass');
});

test('cipher-text lines: Base64 (with the \\= padding Properties.store writes) and the [plaintext] form', () => {
  assert.deepEqual(classify('UserManager.AdminUser.Password=[admin]').scopes, {
    'entity.name.alias.secure-vault': 'UserManager.AdminUser.Password',
    'punctuation.separator.key-value.properties': '=',
    'punctuation.definition.plaintext.begin.secure-vault': '[',
    'markup.italic.plaintext.secure-vault': 'admin',
    'punctuation.definition.plaintext.end.secure-vault': ']',
  });
  const base64 = 'DAPjyXHkT/VhWN+vZHOy64JCbhIwcGsCFA3iZBp3TS9cGSRAnYK4pdCNe4uAoJuL0ak+NTZX/GZtePScO0aHPayeZMszTr/AEk2SAFurUGXRSJhso0mKge7Gq1kPjubE\\=\\=';
  assert.deepEqual(classify(`UserManager.AdminUser.Password=${base64}`).scopes['constant.other.base64.secure-vault'], base64);
  assert.equal(classify('Carbon.Security.KeyStore.Password = abcdEFGH1234+/xyzABC==').scopes['constant.other.base64.secure-vault'], 'abcdEFGH1234+/xyzABC==');
});

test('secret-conf lines are plain entries, ${carbon.home} inside values is marked', () => {
  for (const line of [
    'carbon.secretProvider=org.wso2.securevault.secret.handler.SecretManagerSecretCallbackHandler',
    'secretRepositories=file',
    'secretRepositories.file.location=repository/conf/security/cipher-text.properties',
    'keystore.identity.location=/opt/wso2am-2.6.0/repository/resources/security/wso2carbon.jks',
    'keystore.identity.alias=wso2carbon',
    'keystore.identity.store.password=identity.store.password',
  ]) {
    assert.equal(classify(line).rule, 'entry', line);
  }
  const value = PROPERTIES.repository.value.patterns![0];
  assert.equal(new RegExp(value.match!).exec('${carbon.home}/repository/resources/security/wso2carbon.jks')![2], 'carbon.home');
  assert.equal(classify('! a comment too').rule, 'comment');
});

test('the corpus properties files: every line is classified as its file kind expects', (t) => {
  const corpus = corpusDir();
  if (!corpus) return t.skip('corpus not available (../shared/corpus)');
  const read = (p: string) => fs.readFileSync(path.join(corpus, p), 'utf8').split(/\r?\n/).filter((l) => l.trim().length > 0);
  for (const line of read('apim-2.6.0/repository/conf/security/cipher-tool.properties')) {
    assert.equal(classify(line).rule, line.startsWith('#') ? 'comment' : 'cipher-tool-entry', line);
  }
  for (const line of read('ciphertool-run/before-conf/security/cipher-text.properties')) {
    const { rule, scopes } = classify(line);
    assert.equal(rule, line.startsWith('#') ? 'comment' : 'cipher-text-entry', line);
    if (rule === 'cipher-text-entry') assert.ok(scopes['markup.italic.plaintext.secure-vault'] !== undefined);
  }
  for (const line of read('ciphertool-run/after-conf/security/cipher-text.properties')) {
    const { rule, scopes } = classify(line);
    assert.equal(rule, line.startsWith('#') ? 'comment' : 'cipher-text-entry', line);
    if (rule === 'cipher-text-entry') assert.equal(scopes['constant.other.base64.secure-vault'].length, 344 + 2, 'a 2048-bit value with \\=\\= padding');
  }
  for (const line of read('ciphertool-run/after-conf/security/secret-conf.properties')) {
    assert.equal(classify(line).rule, line.startsWith('#') ? 'comment' : 'entry', line);
  }
});

test('injection: svns:secretAlias with its value, $secret{…} and ${carbon.home}', (t) => {
  const attribute = new RegExp(INJECTION.repository['secret-alias-attribute'].match!, 'g');
  const line = '            <Password svns:secretAlias="Carbon.Security.KeyStore.Password">password</Password>';
  const match = attribute.exec(line)!;
  assert.deepEqual([match[1], match[3], match[6]], ['svns', 'secretAlias', 'Carbon.Security.KeyStore.Password']);
  assert.equal(match[0], ' svns:secretAlias="Carbon.Security.KeyStore.Password"', 'starts at the blank, as the XML attribute rule does');
  const single = new RegExp(INJECTION.repository['secret-alias-attribute'].match!).exec("<password sv:secretAlias='Datasources.X.Password'>")!;
  assert.deepEqual([single[1], single[9]], ['sv', 'Datasources.X.Password']);
  assert.equal(new RegExp(INJECTION.repository['secret-alias-attribute'].match!).exec('<a secretAlias="x">'), null, 'an unprefixed attribute is not the Secure Vault one');

  const token = new RegExp(INJECTION.repository['secret-token'].match!).exec('<Password>$secret{admin_password}</Password>')!;
  assert.equal(token[2], 'admin_password');
  const home = new RegExp(INJECTION.repository['carbon-home'].match!).exec('<Location>${carbon.home}/repository/resources/security/wso2carbon.jks</Location>')!;
  assert.equal(home[0], '${carbon.home}');

  const corpus = corpusDir();
  if (!corpus) return t.skip('corpus lines not available');
  const carbon = fs.readFileSync(path.join(corpus, 'ciphertool-run/after-conf/carbon.xml'), 'utf8');
  const aliases = [...carbon.matchAll(new RegExp(INJECTION.repository['secret-alias-attribute'].match!, 'g'))].map((m) => m[6]);
  assert.deepEqual(aliases, ['Carbon.Security.KeyStore.Password', 'Carbon.Security.KeyStore.KeyPassword', 'Carbon.Security.TrustStore.Password']);
});

// ---- deployment.toml references ---------------------------------------------------------------------------------

/** Every match of one repository rule of the toml injection on a line: the captured texts by scope. */
function tomlMatches(rule: 'secret' | 'reference' | 'placeholder', line: string): Record<string, string | undefined>[] {
  const grammarRule = TOML_INJECTION.repository[rule];
  const re = new RegExp(grammarRule.match!, 'g');
  const found: Record<string, string>[] = [];
  for (const match of line.matchAll(re)) {
    const scopes: Record<string, string> = {};
    for (const [group, capture] of Object.entries(grammarRule.captures ?? {})) {
      if (match[Number(group)] !== undefined && capture.name) scopes[`${group}:${capture.name}`] = match[Number(group)];
    }
    found.push(scopes);
  }
  return found;
}

test('deployment.toml injection: into TOML strings only, and declared in package.json for source.toml', () => {
  assert.equal(TOML_INJECTION.scopeName, 'wso2.deployment-toml.injection');
  assert.equal(TOML_INJECTION.injectionSelector, 'L:source.toml string -comment');
  const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { contributes: { grammars: { scopeName: string; path: string; injectTo?: string[] }[] } };
  const entry = manifest.contributes.grammars.find((g) => g.scopeName === TOML_INJECTION.scopeName);
  assert.deepEqual(entry, { scopeName: 'wso2.deployment-toml.injection', path: './syntaxes/deployment-toml.injection.tmLanguage.json', injectTo: ['source.toml'] });
});

test('deployment.toml injection: $secret{}, $env{}, $sys{}, $ref{} and ${...} on real lines', (t) => {
  // The MI corpus sample already using [secrets] (product-micro-integrator v4.4.0 samples).
  const corpus = corpusDir();
  if (!corpus) return t.skip('no corpus');
  const sample = fs.readdirSync(path.join(corpus, 'mi-4.4.0', 'samples')).find((n) => n.startsWith('securevault-') && n.endsWith('.toml'));
  assert.ok(sample, 'an MI securevault sample');
  const text = fs.readFileSync(path.join(corpus, 'mi-4.4.0', 'samples', sample as string), 'utf8');
  const secretLine = text.split(/\r?\n/).find((l) => l.includes('$secret{'))!;
  const secrets = tomlMatches('secret', secretLine);
  assert.equal(secrets.length, 1);
  assert.equal(secrets[0]['2:keyword.other.reference-kind.deployment-toml'], 'secret');
  assert.equal(secrets[0]['4:variable.other.constant.secret-alias.secure-vault'], 'rabbit_pwd');
  assert.deepEqual(tomlMatches('reference', secretLine), []);

  const line = 'url = "jdbc:mysql://$env{DB_HOST}:$sys{db.port}/x?u=$ref{database.user}&p=$secret{db_pw}"';
  assert.deepEqual(tomlMatches('reference', line).map((m) => [m['2:keyword.other.reference-kind.deployment-toml'], m['4:variable.other.constant.reference-name.deployment-toml']]), [
    ['env', 'DB_HOST'],
    ['sys', 'db.port'],
    ['ref', 'database.user'],
  ]);
  assert.deepEqual(tomlMatches('secret', line).map((m) => m['4:variable.other.constant.secret-alias.secure-vault']), ['db_pw']);
  assert.deepEqual(tomlMatches('placeholder', 'file_name = "${carbon.home}/repository/resources/security/x.jks"').map((m) => m['2:variable.language.placeholder.deployment-toml']), ['carbon.home']);
  // Not references: another word, an unclosed brace, a quote inside (the string ends there).
  for (const rule of ['secret', 'reference'] as const) assert.deepEqual(tomlMatches(rule, 'a = "$foo{x}" b = "$secret{x" c = "$env{a"b}"'), []);
});
