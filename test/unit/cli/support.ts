import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
import forge from 'node-forge';
import { CliOptions, runCli } from '../../../server/src/cli/main';

/** Shared by the CLI tests: temp trees (removed when the test file ends) and an in-process run of the CLI. */

export const CARBON_NS = 'http://wso2.org/projects/carbon/carbon.xml';

const made: string[] = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp folder (real path: symlinked tmp folders would spell paths two ways). */
export function tempDir(label: string): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `wso2-cli-${label}-`)));
  made.push(dir);
  return dir;
}

export function write(root: string, relative: string, content: string | Uint8Array): string {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in-process with `cwd` as the current folder. Runs are serialised by node:test within a file. */
export async function cli(args: string[], cwd: string, options: CliOptions = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const code = await runCli(args, (s) => (out += s), (s) => (err += s), options);
    return { code, out, err };
  } finally {
    process.chdir(previous);
  }
}

export function carbonXml(body = '', offset = 0): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Server xmlns="${CARBON_NS}">\n  <Ports>\n    <Offset>${offset}</Offset>\n  </Ports>\n${body}</Server>\n`;
}

export function keystoreBlock(password: string, keyPassword = password): string {
  return `  <Security>\n    <KeyStore>\n      <Location>\${carbon.home}/repository/resources/security/wso2carbon.jks</Location>\n      <Type>JKS</Type>\n      <Password>${password}</Password>\n      <KeyAlias>wso2carbon</KeyAlias>\n      <KeyPassword>${keyPassword}</KeyPassword>\n    </KeyStore>\n  </Security>\n`;
}

/** The primary keystore of a carbon.xml: its Location, Type, store Password, KeyAlias and KeyPassword. */
export interface CarbonKeyStore {
  location: string;
  type: string;
  password: string;
  alias: string;
  keyPassword: string;
}

/** A carbon.xml (ISO-8859-1, as the product ships it) holding only port offset 0 and the given primary keystore. */
export function keystoreCarbonXml(keystore: CarbonKeyStore): string {
  return [
    `<?xml version="1.0" encoding="ISO-8859-1"?>`,
    `<Server xmlns="${CARBON_NS}">`,
    `    <Ports><Offset>0</Offset></Ports>`,
    `    <Security>`,
    `        <KeyStore>`,
    `            <Location>${keystore.location}</Location>`,
    `            <Type>${keystore.type}</Type>`,
    `            <Password>${keystore.password}</Password>`,
    `            <KeyAlias>${keystore.alias}</KeyAlias>`,
    `            <KeyPassword>${keystore.keyPassword}</KeyPassword>`,
    `        </KeyStore>`,
    `    </Security>`,
    `</Server>`,
    ``,
  ].join('\n');
}

/** A user-mgt.xml whose only password is the admin user's; `xmlDeclaration` puts a UTF-8 declaration line first. */
export function adminUserMgtXml(password: string, xmlDeclaration = false): string {
  return [
    ...(xmlDeclaration ? [`<?xml version="1.0" encoding="UTF-8"?>`] : []),
    `<UserManager>`,
    `    <Realm>`,
    `        <Configuration>`,
    `            <AdminUser>`,
    `                <UserName>admin</UserName>`,
    `                <Password>${password}</Password>`,
    `            </AdminUser>`,
    `        </Configuration>`,
    `    </Realm>`,
    `</UserManager>`,
    ``,
  ].join('\n');
}

/** A master-datasources.xml with one MySQL datasource, WSO2_CARBON_DB on `host`, whose password is `password`. */
export function mysqlDatasourcesXml(host: string, password: string): string {
  return [
    `<datasources-configuration xmlns:svns="http://org.wso2.securevault/configuration">`,
    `    <datasources>`,
    `        <datasource>`,
    `            <name>WSO2_CARBON_DB</name>`,
    `            <definition type="RDBMS">`,
    `                <configuration>`,
    `                    <url>jdbc:mysql://${host}:3306/carbon</url>`,
    `                    <username>carbon</username>`,
    `                    <password>${password}</password>`,
    `                    <driverClassName>com.mysql.jdbc.Driver</driverClassName>`,
    `                </configuration>`,
    `            </definition>`,
    `        </datasource>`,
    `    </datasources>`,
    `</datasources-configuration>`,
    ``,
  ].join('\n');
}

/** A catalina-server.xml with one HTTPS connector whose protocol and cipher lists are given. */
export function catalinaXml(protocols: string, ciphers: string, port = 9443, keystorePass = 'wso2carbon'): string {
  return [
    `<?xml version='1.0' encoding='utf-8'?>`,
    `<Server port="8005" shutdown="SHUTDOWN">`,
    `    <Service className="org.wso2.carbon.tomcat.ext.service.ExtendedStandardService" name="Catalina">`,
    `        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol"`,
    `                   port="${port}"`,
    `                   SSLEnabled="true"`,
    `                   sslEnabledProtocols="${protocols}"`,
    `                   ciphers="${ciphers}"`,
    `                   keystoreFile="\${carbon.home}/repository/resources/security/wso2carbon.jks"`,
    `                   keystorePass="${keystorePass}"/>`,
    `    </Service>`,
    `</Server>`,
    ``,
  ].join('\n');
}

/** Every file below `root`, by path relative to it, with its bytes: compare two to see that nothing was written. */
export function snapshotTree(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(root, full), fs.readFileSync(full));
    }
  };
  walk(root);
  return files;
}

/** The `key=value` entries of a .properties file as encrypt writes them (one a line, trimmed; comments skipped). */
export function propertyEntries(file: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of fs.readFileSync(file, 'latin1').split(/\r?\n/)) {
    const match = /^([^#!\s][^=]*)=(.*)$/.exec(line);
    if (match) entries.set(match[1].trim(), match[2].trim());
  }
  return entries;
}

/** The sample product homes shipped in examples/ (always present, unlike the corpus). */
export function examplesDir(): string {
  return path.resolve(process.env.WSO2_CONFIG_ROOT ?? process.cwd(), 'examples');
}

export function copyTree(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}

/**
 * A PKCS#12 keystore made in memory (no JDK needed): RSA 2048 from node's crypto, certificate and PFX from forge, the
 * key under `alias` protected by `password`. Returns the private key, for decrypting what a fix wrote.
 */
export function makePkcs12(file: string, password: string, alias: string, commonName = 'wso2-config encrypt test'): forge.pki.rsa.PrivateKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 30 * 86_400_000);
  const name = [{ name: 'commonName', value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.sign(key, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, { friendlyName: alias, algorithm: '3des' });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
  return key;
}

/** RSA PKCS#1 v1.5 decryption of a Secure Vault ciphertext (standard Base64) to the UTF-8 password. */
export function decrypt(key: forge.pki.rsa.PrivateKey, base64: string): string {
  return forge.util.decodeUtf8(key.decrypt(forge.util.decode64(base64), 'RSAES-PKCS1-V1_5'));
}
