import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
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
