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
