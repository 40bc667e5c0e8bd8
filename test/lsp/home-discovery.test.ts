import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TempWorkspace, TestServer } from './client';
import { cli } from '../unit/cli/support';
import { CATALINA, carbonXml } from '../unit/ports/fixtures';

/**
 * One product-home discovery (issue 9): for one tree, `wso2-config-lint` (the homes its port-conflict findings name),
 * `wso2-config-lint ports`, `wso2-config-lint encrypt` (the homes it lists when a folder holds several) and the
 * language server (`wso2Config/effectivePorts`) see the same homes. The tree has a plain home, a home whose conf is a
 * symbolic link, a home that is a symbolic link, nested homes (EI's profiles under <dist>/wso2), deployment.toml homes
 * (APIM/IS layout repository/conf, MI layout conf), a home in the user's own tmp/ folder (walked), a copy in a home's
 * own tmp/ (stepped over unless named), and a home under a folder the settings exclude (no port conflicts; encrypt,
 * which the user points at a home, still finds it). A home deeper than discovery's bound is linted but counted by none.
 */

const TIMEOUT = { timeout: 120_000 };
const PROBE = 'wso2am-2.6.0';

/** The homes every answer must agree on (paths relative to the workspace). */
const RUNNING = [
  'ei/wso2ei-6.5.0',
  'ei/wso2ei-6.5.0/wso2/broker',
  'linked-home',
  'mi-4.2.0',
  'tmp/wso2is-5.6.0',
  'wso2am-2.6.0',
  'wso2am-4.2.0',
  'wso2is-linked-conf',
].sort();
const EXCLUDED = 'backup/wso2am-2.6.0-old';
const COPY_IN_HOME_TMP = `${PROBE}/tmp/copy`;
/** Its conf folder is 11 levels down: beyond discovery's depth (8), so no command counts it (the walk still lints its files). */
const TOO_DEEP = 'deep/1/2/3/4/5/6/7/wso2is-5.6.0';

function carbonHome(root: string, confDir: string): Record<string, string> {
  return { [`${root}/${confDir}/carbon.xml`]: carbonXml(), [`${root}/${confDir}/tomcat/catalina-server.xml`]: CATALINA };
}

function fixture(): TempWorkspace {
  const workspace = new TempWorkspace({
    'ws/.wso2config.json': JSON.stringify({ exclude: ['backup/**'] }),
    ...carbonHome(`ws/${PROBE}`, 'repository/conf'),
    [`ws/${PROBE}/bin/wso2server.sh`]: '#!/bin/sh\n',
    ...carbonHome(`ws/${COPY_IN_HOME_TMP}`, 'repository/conf'),
    ...carbonHome('ws/tmp/wso2is-5.6.0', 'repository/conf'),
    ...carbonHome(`ws/${TOO_DEEP}`, 'repository/conf'),
    ...carbonHome(`ws/${EXCLUDED}`, 'repository/conf'),
    ...carbonHome('ws/ei/wso2ei-6.5.0', 'conf'),
    ...carbonHome('ws/ei/wso2ei-6.5.0/wso2/broker', 'conf'),
    ...carbonHome('elsewhere/store', 'conf'),
    ...carbonHome('elsewhere/wso2esb-5.0.0', 'repository/conf'),
    'ws/wso2am-4.2.0/repository/conf/deployment.toml': '[server]\nhostname = "localhost"\n',
    // Offset 0 written: MI's own default offset is 10, and at 0 its JMX ports are the probe's.
    'ws/mi-4.2.0/conf/deployment.toml': '[server]\nhostname = "localhost"\noffset = 0\n',
  });
  // A home whose conf is a link (to a folder not named conf), and a home that is itself a link.
  fs.mkdirSync(workspace.path('ws/wso2is-linked-conf/repository'), { recursive: true });
  fs.symlinkSync(workspace.path('elsewhere/store/conf'), workspace.path('ws/wso2is-linked-conf/repository/conf'), 'dir');
  fs.renameSync(workspace.path('elsewhere/store/conf'), workspace.path('elsewhere/store/kept'));
  fs.symlinkSync(workspace.path('elsewhere/store/kept'), workspace.path('elsewhere/store/conf'), 'dir');
  fs.symlinkSync(workspace.path('elsewhere/wso2esb-5.0.0'), workspace.path('ws/linked-home'), 'dir');
  return workspace;
}

const relativeTo = (root: string) => (p: string) => path.relative(root, p).split(path.sep).join('/');

describe('one home discovery: check, ports, encrypt and the server agree', () => {
  test('the same homes, four ways', TIMEOUT, async () => {
    const workspace = fixture();
    const ws = workspace.path('ws');
    const relative = relativeTo(ws);
    let server: TestServer | undefined;
    try {
      // check: the probe home's port-conflict findings name every other running home (all listen on 9443 at offset 0).
      const checked = await cli(['--format', 'json', '.'], ws);
      const findings = (JSON.parse(checked.out) as { findings: { ruleId: string; path: string; message: string }[] }).findings;
      const named = findings
        .filter((f) => f.ruleId === 'port-conflict' && f.path === `${PROBE}/repository/conf/carbon.xml`)
        .map((f) => /the product home (.+?) \(/.exec(f.message)?.[1])
        .filter((h): h is string => h !== undefined);
      const checkHomes = [PROBE, ...named.map(relative)].sort();
      assert.deepEqual(checkHomes, RUNNING, checked.out);
      // What check reports: no file of the copy inside the home's own tmp/, or of the excluded home.
      assert.ok(!findings.some((f) => f.path.startsWith(COPY_IN_HOME_TMP) || f.path.startsWith('backup/')), checked.out);
      // The home too deep for discovery: its files are still linted, but it is in no one's port conflicts.
      assert.ok(findings.some((f) => f.path.startsWith(TOO_DEEP)), checked.out);

      const ports = await cli(['ports', '--format', 'json', '.'], ws);
      const portHomes = (JSON.parse(ports.out) as { homes: { home: string }[] }).homes.map((h) => h.home).sort();
      assert.deepEqual(portHomes, RUNNING, ports.out);

      // encrypt, pointed at the folder, lists the homes it holds: the settings' exclude does not hide one from it.
      const encrypt = await cli(['encrypt', '--dry-run', '.'], ws);
      assert.equal(encrypt.code, 2, encrypt.err);
      const listed = encrypt.err
        .split('\n')
        .filter((line) => line.startsWith('  /'))
        .map((line) => relative(line.trim()))
        .sort();
      assert.deepEqual(listed, [...RUNNING, EXCLUDED].sort(), encrypt.err);

      server = TestServer.start();
      await server.initialize({ rootPath: ws });
      const result = await server.request<{ report: { homes: { home: string }[] } }>('wso2Config/effectivePorts', null);
      assert.deepEqual(result.report.homes.map((h) => relative(h.home)).sort(), RUNNING);
      assert.equal(await server.shutdown(), 0);
    } finally {
      await server?.dispose();
      workspace.remove();
    }
  });

  test('a home inside a home\'s own tmp/ is checked, listed and encryptable when named on the command line', TIMEOUT, async () => {
    const workspace = fixture();
    const ws = workspace.path('ws');
    try {
      const checked = await cli(['--format', 'json', COPY_IN_HOME_TMP], ws);
      const report = JSON.parse(checked.out) as { filesChecked: number; productHomes: number };
      assert.deepEqual([report.filesChecked, report.productHomes], [2, 1], checked.out);
      const ports = await cli(['ports', '--format', 'json', COPY_IN_HOME_TMP], ws);
      assert.deepEqual((JSON.parse(ports.out) as { homes: { home: string }[] }).homes.map((h) => h.home), [COPY_IN_HOME_TMP]);
      // The home folder named: encrypt finds it (dry run; no password in it, so nothing to encrypt).
      const encrypt = await cli(['encrypt', '--dry-run', COPY_IN_HOME_TMP], ws);
      assert.ok(!/No product home/.test(encrypt.err), encrypt.err);
    } finally {
      workspace.remove();
    }
  });
});
