import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { privateDecrypt, constants, generateKeyPairSync, KeyObject, X509Certificate } from 'node:crypto';
import { verifyKeystore, encryptForSecureVault, maxSecretBytes, KeystoreCertificate } from '../../../server/src/service/keystore';
import { readJavaKeystore } from '../../../server/src/service/keystore/jks';
import { corpusDir } from '../../helpers';
import { javaFingerprints, keytoolExportCert, keytoolGenerate, keytoolImportCert, once, tempDir } from './support';

const STORE_PASSWORD = 'St0re-Pw!x9';

/** The read Secure Vault makes (verifyKeystore): what it gives is what these readers are for. */
function read(file: string, type: string, alias: string, storePassword?: string) {
  return verifyKeystore({ bytes: fs.existsSync(file) ? fs.readFileSync(file) : undefined, type, alias, storePassword, label: file });
}

function certificate(result: ReturnType<typeof verifyKeystore>): KeystoreCertificate {
  if (!result.ok) assert.fail(`expected a certificate, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function error(result: ReturnType<typeof verifyKeystore>): { code: string; message: string } {
  assert.equal(result.ok, false, 'expected an error');
  return (result as { ok: false; error: { code: string; message: string } }).error;
}

/**
 * Keystores made once for the file by keytool (each run starts a JVM): a JKS with two key pairs (aliases given in mixed
 * case) and a trusted certificate, Java 17's default PKCS12 and a legacy one, an EC key.
 */
interface Fixtures {
  dir: string;
  jks: string;
  partner: string;
  modern: string;
  legacy: string;
  ec: string;
}
const fx = once((): Fixtures => {
  const dir = tempDir('keystores');
  const jks = keytoolGenerate(dir, 'multi.jks', { type: 'JKS', alias: 'Server-Key', storePassword: STORE_PASSWORD });
  keytoolGenerate(dir, 'multi.jks', { type: 'JKS', alias: 'second', storePassword: STORE_PASSWORD });
  const partner = keytoolGenerate(dir, 'partner.jks', { type: 'JKS', alias: 'partner', storePassword: STORE_PASSWORD });
  const pem = path.join(dir, 'partner.pem');
  keytoolExportCert(partner, 'partner', STORE_PASSWORD, pem);
  keytoolImportCert(jks, 'JKS', 'trusted-partner', STORE_PASSWORD, pem);
  const modern = keytoolGenerate(dir, 'modern.p12', { type: 'PKCS12', alias: 'vault', storePassword: STORE_PASSWORD });
  const legacy = keytoolGenerate(dir, 'legacy.p12', { type: 'PKCS12', alias: 'vault', storePassword: STORE_PASSWORD, legacy: true });
  const ec = keytoolGenerate(dir, 'ec.jks', { type: 'JKS', alias: 'ec', storePassword: STORE_PASSWORD, keyalg: 'EC' });
  return { dir, jks, partner, modern, legacy, ec };
});

test('JKS made by keytool: each key pair alias gives its own certificate, without the store password, whatever the case; a trusted certificate is read but refused', () => {
  const { jks } = fx();
  const java = javaFingerprints(jks, 'JKS', STORE_PASSWORD);
  assert.deepEqual([...java.keys()], ['second', 'server-key', 'trusted-partner'], 'keytool stores aliases in lower case');
  const contents = readJavaKeystore(fs.readFileSync(jks));
  assert.ok(contents.ok);
  assert.deepEqual(
    contents.contents.entries.map((e) => [e.alias, e.kind]).sort(),
    [['second', 'private-key'], ['server-key', 'private-key'], ['trusted-partner', 'trusted-certificate']],
  );
  for (const alias of ['server-key', 'Server-Key', 'SERVER-KEY']) {
    const cert = certificate(read(jks, 'JKS', alias));
    assert.equal(cert.certificate.fingerprint256, java.get('server-key'));
    assert.equal(cert.alias, 'server-key');
    assert.equal(cert.format, 'JKS');
    assert.equal(cert.publicKey.asymmetricKeyType, 'rsa');
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  }
  assert.equal(certificate(read(jks, 'JKS', 'second')).certificate.fingerprint256, java.get('second'));
  // The trusted certificate is read as Java stores it, but nothing encrypted to it could be decrypted: refused.
  const trusted = contents.contents.entries.find((e) => e.alias === 'trusted-partner')!;
  assert.equal(new X509Certificate(Buffer.from(trusted.certificates[0])).fingerprint256, java.get('trusted-partner'));
  assert.equal(java.get('trusted-partner'), javaFingerprints(fx().partner, 'JKS', STORE_PASSWORD).get('partner'));
  assert.equal(error(read(jks, 'JKS', 'trusted-partner')).code, 'not-a-key-entry');
  assert.notEqual(java.get('second'), java.get('server-key'));
  assert.equal(maxSecretBytes(certificate(read(jks, 'JKS', 'second')).publicKey), 245);
});

test('PKCS12 made by Java 17 keytool (PBES2/AES, HmacSHA256 MAC) and a legacy one (3DES/RC2, HmacSHA1): read with the store password', () => {
  const { modern, legacy } = fx();
  for (const file of [modern, legacy]) {
    const cert = certificate(read(file, 'PKCS12', 'VAULT', STORE_PASSWORD));
    assert.equal(cert.certificate.fingerprint256, javaFingerprints(file, 'PKCS12', STORE_PASSWORD).get('vault'));
    assert.equal(cert.format, 'PKCS12');
  }
  // The algorithms really differ: the modern store uses PBES2 (OID 1.2.840.113549.1.5.13), the legacy one does not.
  const pbes2 = Buffer.from('2a864886f70d01050d', 'hex');
  assert.ok(fs.readFileSync(modern).includes(pbes2));
  assert.ok(!fs.readFileSync(legacy).includes(pbes2));
});

test('PKCS12 made by openssl (as a PEM key and certificate converted to a keystore) is read too', (t) => {
  const dir = tempDir('openssl');
  const key = path.join(dir, 'key.pem');
  const crt = path.join(dir, 'cert.pem');
  const p12 = path.join(dir, 'openssl.p12');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-subj', '/CN=openssl', '-days', '2'], { stdio: 'pipe' });
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', key, '-in', crt, '-name', 'fromopenssl', '-out', p12, '-passout', `pass:${STORE_PASSWORD}`], { stdio: 'pipe' });
  } catch {
    // openssl is not part of the promised toolchain (java is); say so rather than pass silently.
    t.skip('openssl is not installed (java is the promised tool; this case is extra)');
    return;
  }
  const cert = certificate(read(p12, 'PKCS12', 'fromopenssl', STORE_PASSWORD));
  assert.equal(cert.certificate.fingerprint256, new X509Certificate(fs.readFileSync(crt)).fingerprint256);
});

test('JCEKS with a key pair: read like JKS (same entry layout, another magic number)', () => {
  const file = path.join(fx().dir, 'pair.jceks');
  execFileSync('keytool', ['-genkeypair', '-keyalg', 'RSA', '-keysize', '2048', '-alias', 'pair', '-dname', 'CN=pair', '-keystore', file, '-storetype', 'JCEKS', '-storepass', STORE_PASSWORD, '-keypass', STORE_PASSWORD], { stdio: 'pipe' });
  const cert = certificate(read(file, 'JCEKS', 'pair'));
  assert.equal(cert.format, 'JCEKS');
  assert.equal(cert.certificate.fingerprint256, javaFingerprints(file, 'JCEKS', STORE_PASSWORD).get('pair'));
});

test('a declared type is not trusted over the content: a PKCS12 file declared JKS and a JKS file declared PKCS12 are read like Java does', () => {
  assert.equal(certificate(read(fx().modern, 'JKS', 'vault', STORE_PASSWORD)).format, 'PKCS12');
  assert.equal(certificate(read(fx().jks, 'PKCS12', 'second')).format, 'JKS');
});

/**
 * Node no longer decrypts PKCS#1 v1.5 (CVE-2023-46809), so the test removes the padding itself: 00 02 <non-zero
 * random bytes, at least 8> 00 <message>.
 */
function pkcs1v15Decrypt(privateKey: KeyObject, ciphertext: Buffer): string {
  const block = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, ciphertext);
  assert.equal(block[0], 0x00);
  assert.equal(block[1], 0x02, 'block type 2 (encryption)');
  const separator = block.indexOf(0x00, 2);
  assert.ok(separator >= 10, 'at least 8 bytes of padding');
  return block.subarray(separator + 1).toString('utf8');
}

test('encryptForSecureVault: Base64 of RSA PKCS#1 v1.5 that the private key decrypts to the UTF-8 secret', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  for (const secret of ['wso2carbon', 'pä$$wörd', '密码 🔑', 'a'.repeat(245)]) {
    const value = encryptForSecureVault(publicKey, secret);
    assert.match(value, /^[A-Za-z0-9+/]{342}==$/, 'standard Base64 of 256 bytes, no line breaks');
    assert.equal(pkcs1v15Decrypt(privateKey, Buffer.from(value, 'base64')), secret);
  }
  assert.notEqual(encryptForSecureVault(publicKey, 'same'), encryptForSecureVault(publicKey, 'same'), 'PKCS#1 v1.5 padding is random');
  assert.equal(maxSecretBytes(publicKey), 245);
  assert.throws(() => encryptForSecureVault(publicKey, 'a'.repeat(246)));
});

test('the default wso2carbon.jks every 4.4.x product ships: alias wso2carbon, SHA-1 thumbprint 501FC143…61B1 (wso2/carbon-kernel v4.4.35 repository/resources/security/wso2carbon.jks)', (t) => {
  const corpus = corpusDir();
  if (!corpus) return t.skip('corpus not found beside the project (../shared/corpus)');
  const file = path.join(corpus, 'kernel-4.4.35/repository/resources/security/wso2carbon.jks');
  const cert = certificate(read(file, 'JKS', 'wso2carbon'));
  assert.equal(cert.certificate.fingerprint.replace(/:/g, ''), '501FC1432D87155DC431382AEB843ED558AD61B1');
  assert.match(cert.certificate.subject, /CN=localhost/);
});

// ---- failures ----------------------------------------------------------------------------------------------------

test('bad keystores give a coded message naming the file, never the password', () => {
  const { dir, jks, modern: p12 } = fx();
  const bytes = fs.readFileSync(jks);
  const p12Bytes = fs.readFileSync(p12);
  const cases: { name: string; result: ReturnType<typeof verifyKeystore>; code: string; pattern: RegExp }[] = [
    { name: 'missing file', result: read(path.join(dir, 'nope.jks'), 'JKS', 'good'), code: 'missing', pattern: /nope\.jks does not exist/ },
    {
      name: 'truncated JKS',
      result: verifyKeystore({ bytes: bytes.subarray(0, Math.floor(bytes.length / 2)), type: 'JKS', alias: 'second', label: 'cut.jks' }),
      code: 'malformed',
      pattern: /cut\.jks is truncated/,
    },
    {
      name: 'JKS without its digest',
      result: verifyKeystore({ bytes: bytes.subarray(0, bytes.length - 5), type: 'JKS', alias: 'second', label: 'cut.jks' }),
      code: 'malformed',
      pattern: /truncated/,
    },
    {
      name: 'truncated PKCS12',
      result: verifyKeystore({ bytes: p12Bytes.subarray(0, 300), type: 'PKCS12', alias: 'vault', storePassword: STORE_PASSWORD, label: 'cut.p12' }),
      code: 'malformed',
      pattern: /cut\.p12 is damaged/,
    },
    { name: 'not a keystore', result: verifyKeystore({ bytes: Buffer.from('<Server/>'), type: 'JKS', alias: 'good', label: 'x.xml' }), code: 'malformed', pattern: /not a keystore/ },
    { name: 'empty file', result: verifyKeystore({ bytes: new Uint8Array(0), type: 'JKS', alias: 'good', label: 'empty.jks' }), code: 'malformed', pattern: /empty\.jks/ },
    { name: 'wrong alias (JKS)', result: read(jks, 'JKS', 'wso2carbon'), code: 'alias-not-found', pattern: /no entry with alias "wso2carbon".*aliases: .*second.*server-key/ },
    { name: 'wrong alias (PKCS12)', result: read(p12, 'PKCS12', 'other', STORE_PASSWORD), code: 'alias-not-found', pattern: /no entry with alias "other".*aliases: vault/ },
    { name: 'PKCS12 without password', result: read(p12, 'PKCS12', 'vault'), code: 'needs-password', pattern: /needs the keystore password/ },
    { name: 'PKCS12 wrong password', result: read(p12, 'PKCS12', 'vault', 'Wr0ng-Pass#1'), code: 'wrong-password', pattern: /does not open the PKCS12 keystore/ },
    { name: 'legacy PKCS12 wrong password', result: read(fx().legacy, 'PKCS12', 'vault', 'Wr0ng-Pass#1'), code: 'wrong-password', pattern: /does not open/ },
    { name: 'unknown type', result: read(jks, 'PKCS11', 'second'), code: 'unsupported-type', pattern: /"PKCS11".*not supported/ },
  ];
  for (const c of cases) {
    const e = error(c.result);
    assert.equal(e.code, c.code, c.name);
    assert.match(e.message, c.pattern, c.name);
    assert.ok(!e.message.includes(STORE_PASSWORD), `${c.name}: the store password is not in the message`);
    assert.ok(!e.message.includes('Wr0ng-Pass#1'), `${c.name}: the wrong password is not in the message`);
  }
});

test('an EC certificate is refused: Secure Vault decrypts with RSA', () => {
  const e = error(read(fx().ec, 'JKS', 'ec'));
  assert.equal(e.code, 'not-rsa');
  assert.match(e.message, /has an EC key: Secure Vault encrypts with RSA/);
});
