import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, of } from './helpers';

// plaintext-password ------------------------------------------------------------------------------------------------

test('plaintext-password: a written literal, exactly on the value; default credentials are errors', () => {
  const seen = of(check(`[super_admin]\nusername = "admin"\npassword = "admin"\n[database.apim_db]\npassword = "S3cret-x"\n`), 'plaintext-password').filter((s) => !s.finding.data?.inherited);
  assert.deepEqual(seen.map((s) => [s.line, s.covered, s.severity]), [[3, '"admin"', 'error'], [5, '"S3cret-x"', 'warning']]);
  for (const s of seen) assert.ok(!s.message.includes('S3cret-x'));
});

test('plaintext-password: $secret, $env, $sys, ${…} and empty values are not plaintext', () => {
  const seen = check(`[super_admin]\npassword = "$secret{admin_pw}"\n[database.apim_db]\npassword = "$env{DB_PW}"\n[database.shared_db]\npassword = "$sys{db.pw}"\n[apim.key_manager]\npassword = "\${admin.password}"\n[apim.analytics]\nauth_token = ""\n[secrets]\nadmin_pw = "abc"\n`);
  assert.deepEqual(of(seen, 'plaintext-password').filter((s) => !s.finding.data?.inherited), []);
});

test('plaintext-password: a $ref takes the status of the key it names', () => {
  const plain = of(check(`[super_admin]\npassword = "Xy1-long"\n[apim.throttling]\npassword = "$ref{super_admin.password}"\n`), 'plaintext-password');
  assert.deepEqual(plain.filter((s) => s.line === 4).map((s) => s.covered), ['"$ref{super_admin.password}"']);
  const vaulted = of(check(`[super_admin]\npassword = "$secret{a}"\n[apim.throttling]\npassword = "$ref{super_admin.password}"\n[secrets]\na = "x"\n`), 'plaintext-password');
  assert.deepEqual(vaulted.filter((s) => s.line === 4), []);
});

test('plaintext-password: key-mapped spellings, arrays of tables and unknown password keys', () => {
  const seen = of(
    check(`[user_store]\nconnection_password = "ldap-pw"\n[[datasource]]\nid = "X"\npassword = "ds-pw"\n[custom.thing]\nmyPassword = "c-pw"\nhostname = "h"\n`, { product: 'is', version: '7.1.0' }),
    'plaintext-password',
  ).filter((s) => !s.finding.data?.inherited);
  assert.deepEqual(seen.map((s) => s.line), [2, 5, 7]);
});

test('plaintext-password: commented-out passwords are not read', () => {
  const seen = of(check(`[server]\nhostname = "x"\n#[super_admin]\n#password = "admin"\n# password = "admin"\n`), 'plaintext-password');
  assert.ok(seen.every((s) => s.finding.data?.inherited), 'only inherited defaults');
});

test('plaintext-password: inherited defaults are reported once per table header or at the top, naming key and source', () => {
  const seen = of(check(`[server]\nhostname = "x"\n\n[keystore.primary]\nfile_name = "a.jks"\npassword = "$secret{ks}"\n[secrets]\nks = "y"\n`), 'plaintext-password');
  // keystore.primary.key_password (wso2carbon) on [keystore.primary]; truststore, tasks, mb store and qpid at the top.
  const header = seen.find((s) => s.line === 4)!;
  assert.equal(header.covered, '[keystore.primary]');
  assert.match(header.message, /keystore\.primary\.key_password/);
  assert.match(header.message, /bundled default of WSO2 API Manager 4\.2\.0/);
  assert.equal(header.severity, 'error');
  const top = seen.filter((s) => s.line === 1);
  assert.equal(top.length, 1);
  assert.match(top[0].message, /truststore\.password/);
  assert.ok(!top[0].message.includes('wso2carbon'));
  // Writing the key removes it from the inherited list.
  const written = of(check(`[keystore.primary]\nkey_password = "$secret{k}"\npassword = "$secret{k}"\n[secrets]\nk = "y"\n`), 'plaintext-password');
  assert.ok(!written.some((s) => /keystore\.primary/.test(s.message)));
});

test('plaintext-password: MI inherits the LDAP ConnectionPassword inferred from user_store.type, reported on [user_store]', () => {
  const text = `[server]\nhostname = "localhost"\n[user_store]\ntype = "read_only_ldap"\n`;
  const seen = of(check(text, { product: 'mi', version: '4.4.0' }), 'plaintext-password');
  const onUserStore = seen.find((s) => s.line === 3)!;
  assert.match(onUserStore.message, /ConnectionPassword/);
  assert.match(onUserStore.message, /inferred from user_store\.type = "read_only_ldap"/);
  const database = of(check(`[user_store]\ntype = "database"\n`, { product: 'mi', version: '4.4.0' }), 'plaintext-password');
  assert.ok(!database.some((s) => /ConnectionPassword/.test(s.message)));
});

test('plaintext-password: MI internal API users only while the file user store is enabled', () => {
  const on = of(check(`[server]\nhostname = "x"\n`, { product: 'mi', version: '4.4.0' }), 'plaintext-password');
  assert.ok(on.some((s) => /internal_apis\.users/.test(s.message)));
  const off = of(check(`[server]\nhostname = "x"\n[internal_apis.file_user_store]\nenable = false\n`, { product: 'mi', version: '4.4.0' }), 'plaintext-password');
  assert.ok(!off.some((s) => /internal_apis\.users/.test(s.message)));
  const own = of(check(`[[internal_apis.users]]\nuser.name = "ops"\nuser.password = "$secret{ops}"\n[secrets]\nops = "x"\n`, { product: 'mi', version: '4.4.0' }), 'plaintext-password');
  assert.ok(!own.some((s) => /internal_apis\.users/.test(s.message)), 'the user\'s list replaces the default one');
});

// h2-datasource ----------------------------------------------------------------------------------------------------

test('h2-datasource: url, type (inferring the url) and driver; a non-H2 url wins; local registry is information', () => {
  const seen = of(
    check(`[database.apim_db]\ntype = "h2"\nurl = "jdbc:h2:./x"\n[database.shared_db]\ntype = "h2"\n[database.user]\ntype = "h2"\nurl = "jdbc:mysql://db/u"\n[database.local]\nurl = "jdbc:h2:./repository/database/WSO2CARBON_DB"\n`),
    'h2-datasource',
  );
  const byLine = new Map(seen.map((s) => [s.line, s]));
  assert.equal(byLine.get(3)!.covered, '"jdbc:h2:./x"');
  assert.equal(byLine.get(3)!.severity, 'warning');
  assert.equal(byLine.get(5)!.covered, '"h2"');
  assert.ok(!byLine.has(8), 'a MySQL url is not H2 whatever the type says');
  assert.equal(byLine.get(10)!.severity, 'information');
  for (const s of seen) assert.ok(!s.message.includes('jdbc:h2:./'), 'no URL in messages');
});

test('h2-datasource: [[datasource]] elements; MySQL is fine; nothing for MI by default', () => {
  const seen = of(check(`[[datasource]]\nid = "A"\nurl = "jdbc:mysql://x/a"\n[[datasource]]\nid = "B"\ndriver = "org.h2.Driver"\n`, { product: 'mi', version: '4.4.0' }), 'h2-datasource');
  assert.deepEqual(seen.map((s) => [s.line, s.covered]), [[6, '"org.h2.Driver"']]);
  assert.match(seen[0].message, /\[\[datasource\]\] B/);
  assert.deepEqual(of(check(`[server]\nhostname = "x"\n`, { product: 'mi', version: '4.4.0' }), 'h2-datasource'), []);
});

// weak-tls-protocol / weak-tls-ciphers -------------------------------------------------------------------------------

test('weak-tls-protocol: a written list, on the weak token; either key spelling; a strong list is fine', () => {
  const one = of(check(`[transport.https.properties]\nprotocols = "TLSv1.1,TLSv1.2,TLSv1.3"\n`, { product: 'is', version: '7.1.0' }), 'weak-tls-protocol');
  assert.deepEqual(one.map((s) => [s.line, s.covered]), [[2, 'TLSv1.1']]);
  const strong = of(check(`[transport.https.sslHostConfig.properties]\nprotocols = "TLSv1.2,TLSv1.3"\n`, { product: 'is', version: '7.1.0' }), 'weak-tls-protocol');
  assert.deepEqual(strong, []);
  const sslv3 = of(check(`[transport.passthru_https.listener.parameters]\nHttpsProtocols = "SSLv3,TLSv1.2"\n`), 'weak-tls-protocol').filter((s) => s.line === 2);
  assert.equal(sslv3[0].severity, 'error');
});

test('weak-tls-protocol: Tomcat "+"/"-" syntax and "all"', () => {
  const minus = of(check(`[transport.https.sslHostConfig.properties]\nprotocols = "all,-TLSv1,-TLSv1.1,-SSLv2Hello"\n`, { product: 'carbon', version: '4.9.26' }), 'weak-tls-protocol');
  assert.deepEqual(minus, []);
  const all = of(check(`[transport.https.sslHostConfig.properties]\nprotocols = "all"\n`, { product: 'carbon', version: '4.9.26' }), 'weak-tls-protocol');
  assert.match(all[0].message, /TLSv1, TLSv1\.1/);
});

test('weak-tls-protocol: defaults that enable TLSv1/TLSv1.1 when nothing is written, on the table or the top', () => {
  const top = of(check(`[server]\nhostname = "x"\n`, { product: 'is', version: '7.1.0' }), 'weak-tls-protocol');
  assert.equal(top.length, 1);
  assert.equal(top[0].line, 1);
  assert.match(top[0].message, /by default \(bundled default of WSO2 Identity Server 7\.1\.0/);
  const onTable = of(check(`[server]\nhostname = "x"\n[internal_api_ssl_config.parameter]\nsslProtocol = "TLS"\n`, { product: 'mi', version: '4.4.0' }), 'weak-tls-protocol');
  assert.deepEqual(onTable.filter((s) => s.finding.data?.endpoint === 'mi-management-api').map((s) => [s.line, s.covered]), [[3, '[internal_api_ssl_config.parameter]']]);
  const legacy = of(check(`[server]\nhostname = "x"\n`, { product: 'is', version: '7.1.0', tlsProfile: 'legacy' }), 'weak-tls-protocol');
  assert.deepEqual(legacy, []);
});

test('weak-tls-ciphers: weak suites in a written list (the APIM docs\' RC4 example), absent lists as information', () => {
  const seen = of(check(`[transport.https.sslHostConfig.properties]\nciphers = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"\n`, { product: 'is', version: '7.1.0' }), 'weak-tls-ciphers');
  assert.deepEqual(seen.map((s) => [s.line, s.covered, s.severity]), [[2, 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA', 'warning']]);
  const good = of(check(`[transport.https.sslHostConfig.properties]\nciphers = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"\n`, { product: 'is', version: '7.1.0' }), 'weak-tls-ciphers');
  assert.deepEqual(good, []);
  const missing = of(check(`[server]\nhostname = "x"\n`, { product: 'is', version: '7.1.0' }), 'weak-tls-ciphers');
  assert.deepEqual(missing.map((s) => [s.line, s.severity]), [[1, 'information']]);
  const list = of(check(`[transport.receiver]\nciphers = ["SSL_RSA_WITH_RC4_128_MD5","TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]\n`), 'weak-tls-ciphers').filter((s) => s.line === 2);
  assert.deepEqual(list.map((s) => s.covered), ['"SSL_RSA_WITH_RC4_128_MD5"']);
});

// port-offset --------------------------------------------------------------------------------------------------------

test('port-offset: integers and numeric strings are fine; invalid, negative and too large are errors', () => {
  assert.deepEqual(of(check(`[server]\noffset = 2\n`), 'port-offset'), []);
  assert.deepEqual(of(check(`[server]\noffset = "410"\n`), 'port-offset'), []);
  assert.deepEqual(of(check(`[server]\noffset = "ten"\n`), 'port-offset').map((s) => [s.covered, s.severity]), [['"ten"', 'error']]);
  assert.deepEqual(of(check(`[server]\noffset = 1.5\n`), 'port-offset').map((s) => s.covered), ['1.5']);
  assert.match(of(check(`[server]\noffset = -1\n`), 'port-offset')[0].message, /negative/);
  const big = of(check(`[server]\noffset = 60000\n`), 'port-offset');
  assert.match(big[0].message, /past 65535/);
  assert.deepEqual(of(check(`#[server]\n#offset = "x"\n`), 'port-offset'), []);
});

test('port-offset: in MI a written offset replaces the default 10 (hint)', () => {
  const seen = of(check(`[server]\noffset = 3\n`, { product: 'mi', version: '4.4.0' }), 'port-offset');
  assert.equal(seen[0].severity, 'hint');
  assert.match(seen[0].message, /8280 \+ 3 = 8283, not 8293/);
  assert.deepEqual(of(check(`[server]\noffset = 10\n`, { product: 'mi', version: '4.4.0' }), 'port-offset'), []);
});

// secrets-table ------------------------------------------------------------------------------------------------------

test('secrets-table: [plaintext] values and $secret{} without an alias are errors, on the value', () => {
  const seen = of(check(`[super_admin]\npassword = "$secret{admin_pw}"\n[database.apim_db]\npassword = "$secret{missing}"\n[secrets]\nadmin_pw = "[my plain pw]"\n`), 'secrets-table');
  assert.deepEqual(seen.map((s) => [s.line, s.covered, s.severity]).sort((a, b) => Number(a[0]) - Number(b[0])), [[4, '"$secret{missing}"', 'error'], [6, '"[my plain pw]"', 'error']]);
  assert.ok(!seen.some((s) => s.message.includes('my plain pw')));
  const runtime = of(check(`[super_admin]\npassword = "$secret{x}"\n[runtime_secrets]\nenable = true\n`), 'secrets-table');
  assert.deepEqual(runtime, []);
});

test('secrets-table: not last / comments inside, by cipher tool version', () => {
  const notLast = `[secrets]\na = "b64"\n[server]\nhostname = "x"\n`;
  const apim42 = of(check(notLast, { product: 'apim', version: '4.2.0' }), 'secrets-table');
  assert.deepEqual(apim42.map((s) => [s.line, s.severity]), [[1, 'error']]);
  assert.match(apim42[0].message, /from line 3 on is lost/);
  assert.deepEqual(of(check(notLast, { product: 'mi', version: '4.4.0' }), 'secrets-table'), [], 'cipher tool 1.2.5 ends the section');
  assert.deepEqual(of(check(notLast, { product: 'apim', version: undefined, path: '/x/repository/conf/deployment.toml' }), 'secrets-table').map((s) => s.severity), ['warning']);
  const comment = of(check(`[server]\nhostname = "x"\n[secrets]\n# note\na = "b64"\n`, { product: 'is', version: '7.1.0' }), 'secrets-table');
  assert.match(comment[0].message, /comment line sits inside \[secrets\]/);
  assert.deepEqual(of(check(`[server]\nhostname = "x"\n\n[secrets]\na = "b64"\n`, { product: 'is', version: '7.1.0' }), 'secrets-table'), []);
});

test('secrets-table: the header must be exactly [secrets]; inline comments are lost', () => {
  const seen = of(check(`[server]\nhostname = "x"\n[secrets] # vault\na = "b64" # keep\n`, { product: 'mi', version: '4.4.0' }), 'secrets-table');
  assert.deepEqual(seen.map((s) => s.finding.data?.problem), ['header', 'inline-comment']);
});

// toml-syntax, suppression, settings ---------------------------------------------------------------------------------

test('toml-syntax: the parser\'s message; the other rules still run on what parsed', () => {
  const seen = check(`[super_admin]\npassword = "admin"\npassword = "again"\n[database.shared_db]\nurl = "jdbc:h2:./x"\n`);
  const syntax = of(seen, 'toml-syntax');
  assert.equal(syntax.length, 1);
  assert.equal(syntax[0].line, 3);
  assert.match(syntax[0].message, /Defining a key multiple times is invalid/);
  assert.ok(of(seen, 'plaintext-password').some((s) => s.line === 2));
  assert.ok(of(seen, 'h2-datasource').some((s) => s.line === 5));
});

test('suppression comments: next line and whole file', () => {
  const next = check(`[super_admin]\n# wso2-config-disable-next-line plaintext-password\npassword = "admin"\n`);
  assert.ok(!of(next, 'plaintext-password').some((s) => s.line === 3));
  const whole = check(`# wso2-config-disable weak-tls-protocol, h2-datasource\n[database.shared_db]\nurl = "jdbc:h2:./x"\n`);
  assert.deepEqual([...of(whole, 'weak-tls-protocol'), ...of(whole, 'h2-datasource')], []);
  assert.ok(of(whole, 'plaintext-password').length > 0, 'other rules still report');
  const other = check(`[super_admin]\n# wso2-config-disable-next-line h2-datasource\npassword = "admin"\n`);
  assert.ok(of(other, 'plaintext-password').some((s) => s.line === 3));
});

test('rule severities from settings, "off" included', () => {
  const seen = check(`[super_admin]\npassword = "admin"\n`, { rules: { 'plaintext-password': 'hint', 'weak-tls-protocol': 'off' } });
  assert.ok(of(seen, 'plaintext-password').every((s) => s.severity === 'hint'));
  assert.deepEqual(of(seen, 'weak-tls-protocol'), []);
});

test('unknown tables and keys are not errors', () => {
  const seen = check(`[my.custom.table]\nwhatever = 1\n[[another]]\nx = "y"\n`, { product: 'carbon', version: '4.9.26' });
  assert.deepEqual(seen.filter((s) => s.line > 1), []);
});

test('toml-syntax: the same key through two spellings (key-mappings) warns on the one that loses', () => {
  const seen = of(check(`[transport.https.properties]\nprotocols = "TLSv1.2"\n[transport.https.sslHostConfig.properties]\nprotocols = "TLSv1.3"\n`, { product: 'is', version: '7.1.0' }), 'toml-syntax');
  assert.deepEqual(seen.map((s) => [s.line, s.covered, s.severity]), [[2, 'protocols', 'warning']]);
  assert.match(seen[0].message, /line 4/);
  assert.deepEqual(of(check(`[transport.https.properties]\nprotocols = "TLSv1.2"\n`, { product: 'is', version: '7.1.0' }), 'toml-syntax'), []);
});

test('toml-syntax: arrays mixing types (TOML 1.0 only) warn; one type is fine', () => {
  const seen = of(check(`[a]\nx = ["a", 1]\ny = ["a", "b"]\nz = [[1], [2]]\n`), 'toml-syntax');
  assert.deepEqual(seen.map((s) => [s.line, s.covered, s.severity]), [[2, '["a", 1]', 'warning']]);
});
