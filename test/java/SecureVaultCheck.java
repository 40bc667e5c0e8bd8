import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Properties;
import java.util.TreeSet;
import javax.crypto.Cipher;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Test helper run with the JDK's source launcher (`java SecureVaultCheck.java <mode> …`; nothing is compiled into the
 * repository). It reads a product home the way the WSO2 runtime and cipher tool do, so the tests check the fix
 * against Java rather than against the TypeScript that wrote it.
 *
 *   check <conf dir> <home dir> <store password> <key password>
 *     secret-conf.properties -> identity keystore (KeyStore.getInstance(type), location relative to the home);
 *     every cipher-text.properties value decrypted with Cipher.getInstance("RSA") and the identity private key;
 *     every cipher-tool.properties line parsed as CipherTool (v1.0.0-wso2v8) does and its XPath run on a DOM that
 *     is not namespace-aware.
 *     Output lines (tab-separated, values Base64 of UTF-8 so any character survives):
 *       keystore  <SHA-1 of the identity certificate, upper-case hex>
 *       decrypt   <alias>  <plaintext Base64 | !error class>
 *       xpath     <alias>  <file>  <match count>  <attribute name or ->  <secretAlias of the node>  <secured value Base64>
 *   props <file>
 *       entry <key Base64> <value Base64>   for every key Properties.load reads (sorted)
 *   certs <keystore> <type> <store password>
 *       cert <alias> <SHA-256 of its certificate, upper-case hex>   for every alias KeyStore.getInstance(type) lists
 *   read <requests file>
 *     What a JDK XML parser reads (DocumentBuilderFactory defaults: not namespace-aware, as the cipher tool parses).
 *     Each request line: <id> TAB <xml file> TAB <XPath> TAB <attribute name or ->.
 *       read <id> <match count> <value Base64> <svns:secretAlias of the node or ->
 *     value = getTextContent() of the first match, or getAttribute(name) when an attribute is named.
 *   tomlvault <secret-conf.properties> <home dir> <store password> <key password> <transformation> <values file>
 *     The toml era: the identity keystore of secret-conf.properties (KeyStore.getInstance(keystore.identity.type),
 *     location relative to the home) and Cipher.getInstance(<transformation>) ("RSA" for APIM/IS,
 *     "RSA/ECB/OAEPwithSHA1andMGF1Padding" for MI) decrypt every value of the values file (lines alias TAB Base64,
 *     the [secrets] table as the config mapper renders it into cipher-text.properties).
 *       keystore  <SHA-1 of the identity certificate, upper-case hex>
 *       decrypt   <alias>  <plaintext Base64 | !error class>
 *   mark <label>
 *       mark <label>   (separates the output of several commands)
 *   Several commands run in one JVM when separated by `--` (a JVM start costs about half a second).
 */
public class SecureVaultCheck {
    public static void main(String[] args) throws Exception {
        int from = 0;
        for (int i = 0; i <= args.length; i++) {
            if (i == args.length || args[i].equals("--")) {
                if (i > from) run(java.util.Arrays.copyOfRange(args, from, i));
                from = i + 1;
            }
        }
    }

    private static void run(String[] args) throws Exception {
        if (args[0].equals("mark")) {
            // Separates the output of several commands of one JVM.
            System.out.println("mark\t" + args[1]);
            return;
        }
        if (args[0].equals("read")) {
            java.util.Map<String, Document> parsed = new java.util.HashMap<>();
            for (String line : java.nio.file.Files.readAllLines(new File(args[1]).toPath(), StandardCharsets.UTF_8)) {
                if (line.isEmpty()) continue;
                String[] cells = line.split("\t", -1);
                Document doc = parsed.get(cells[1]);
                if (doc == null) {
                    doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new File(cells[1]));
                    parsed.put(cells[1], doc);
                }
                NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().compile(cells[2]).evaluate(doc, XPathConstants.NODESET);
                String value = "-";
                String alias = "-";
                if (nodes.getLength() > 0) {
                    Element element = (Element) nodes.item(0);
                    value = b64(cells[3].equals("-") ? element.getTextContent() : element.getAttribute(cells[3]));
                    if (element.hasAttribute("svns:secretAlias")) alias = element.getAttribute("svns:secretAlias");
                }
                System.out.println("read\t" + cells[0] + "\t" + nodes.getLength() + "\t" + value + "\t" + alias);
            }
            return;
        }
        if (args[0].equals("props")) {
            Properties p = load(new File(args[1]));
            for (String key : new TreeSet<>(p.stringPropertyNames())) {
                System.out.println("entry\t" + b64(key) + "\t" + b64(p.getProperty(key)));
            }
            return;
        }
        if (args[0].equals("certs")) {
            KeyStore keyStore = KeyStore.getInstance(args[2]);
            try (InputStream in = new FileInputStream(args[1])) {
                keyStore.load(in, args[3].toCharArray());
            }
            for (String alias : new TreeSet<>(java.util.Collections.list(keyStore.aliases()))) {
                System.out.println("cert\t" + alias + "\t" + hex(MessageDigest.getInstance("SHA-256").digest(keyStore.getCertificate(alias).getEncoded())));
            }
            return;
        }
        if (args[0].equals("tomlvault")) {
            Properties secretConf = load(new File(args[1]));
            File home = new File(args[2]);
            File keystoreFile = new File(secretConf.getProperty("keystore.identity.location"));
            if (!keystoreFile.isAbsolute()) keystoreFile = new File(home, keystoreFile.getPath());
            KeyStore keyStore = KeyStore.getInstance(secretConf.getProperty("keystore.identity.type"));
            try (InputStream in = new FileInputStream(keystoreFile)) {
                keyStore.load(in, args[3].toCharArray());
            }
            String alias = secretConf.getProperty("keystore.identity.alias");
            System.out.println("keystore\t" + hex(MessageDigest.getInstance("SHA-1").digest(keyStore.getCertificate(alias).getEncoded())));
            Key privateKey = keyStore.getKey(alias, args[4].toCharArray());
            for (String line : java.nio.file.Files.readAllLines(new File(args[6]).toPath(), StandardCharsets.UTF_8)) {
                if (line.isEmpty()) continue;
                String[] cells = line.split("\t", -1);
                String result;
                try {
                    Cipher cipher = Cipher.getInstance(args[5]);
                    cipher.init(Cipher.DECRYPT_MODE, privateKey);
                    result = b64(new String(cipher.doFinal(Base64.getDecoder().decode(cells[1])), StandardCharsets.UTF_8));
                } catch (Exception e) {
                    result = "!" + e.getClass().getSimpleName();
                }
                System.out.println("decrypt\t" + cells[0] + "\t" + result);
            }
            return;
        }
        File conf = new File(args[1]);
        File home = new File(args[2]);
        char[] storePassword = args[3].toCharArray();
        char[] keyPassword = args[4].toCharArray();

        Properties secretConf = load(new File(conf, "security/secret-conf.properties"));
        String location = secretConf.getProperty("keystore.identity.location");
        File keystoreFile = new File(location);
        if (!keystoreFile.isAbsolute()) keystoreFile = new File(home, location);
        KeyStore keyStore = KeyStore.getInstance(secretConf.getProperty("keystore.identity.type"));
        try (InputStream in = new FileInputStream(keystoreFile)) {
            keyStore.load(in, storePassword);
        }
        String alias = secretConf.getProperty("keystore.identity.alias");
        Certificate certificate = keyStore.getCertificate(alias);
        System.out.println("keystore\t" + hex(MessageDigest.getInstance("SHA-1").digest(certificate.getEncoded())));
        Key privateKey = keyStore.getKey(alias, keyPassword);

        // Where the runtime reads the ciphertexts: secretRepositories.file.location (FileBaseSecretRepository), relative
        // to the home (the server's working directory); the tool's default when it is not set.
        String repository = secretConf.getProperty("secretRepositories.file.location");
        File cipherTextFile = new File(conf, "security/cipher-text.properties");
        if (repository != null && !repository.trim().isEmpty()) {
            cipherTextFile = new File(repository.trim());
            if (!cipherTextFile.isAbsolute()) cipherTextFile = new File(home, repository.trim());
        }
        Properties cipherText = load(cipherTextFile);
        for (String name : new TreeSet<>(cipherText.stringPropertyNames())) {
            String value = cipherText.getProperty(name).trim();
            String result;
            try {
                Cipher cipher = Cipher.getInstance("RSA");
                cipher.init(Cipher.DECRYPT_MODE, privateKey);
                result = b64(new String(cipher.doFinal(Base64.getDecoder().decode(value)), StandardCharsets.UTF_8));
            } catch (Exception e) {
                result = "!" + e.getClass().getSimpleName();
            }
            System.out.println("decrypt\t" + name + "\t" + result);
        }

        File toolFile = new File(conf, "security/cipher-tool.properties");
        if (!toolFile.exists()) return;
        Properties tool = load(toolFile);
        for (String name : new TreeSet<>(tool.stringPropertyNames())) {
            String value = tool.getProperty(name);
            // CipherTool.java v1.0.0-wso2v8 l.183-201: file before the first "//", XPath up to the first ",",
            // attribute between the last "[" (+2) and the "]" before the comma when the flag is true.
            int slashes = value.indexOf("//");
            int comma = value.indexOf(",");
            String fileName = value.substring(0, slashes);
            String xpath = comma >= 0 ? value.substring(slashes, comma) : value.substring(slashes);
            String attributeName = null;
            if (comma >= 0 && value.substring(comma + 1).trim().equals("true") && value.charAt(comma - 1) == ']') {
                attributeName = value.substring(value.lastIndexOf('[') + 2, comma - 1);
            }
            File xml = new File(home, fileName);
            if (!xml.exists()) {
                System.out.println("xpath\t" + name + "\t" + fileName + "\t-1\t-\t-\t-");
                continue;
            }
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml);
            NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().compile(xpath).evaluate(doc, XPathConstants.NODESET);
            String nodeAlias = "-";
            String secured = "-";
            if (nodes.getLength() > 0) {
                Element element = (Element) nodes.item(0);
                nodeAlias = element.getAttribute("svns:secretAlias");
                secured = b64(attributeName != null ? element.getAttribute(attributeName) : element.getTextContent().trim());
            }
            System.out.println("xpath\t" + name + "\t" + fileName + "\t" + nodes.getLength() + "\t" + (attributeName == null ? "-" : attributeName) + "\t" + nodeAlias + "\t" + secured);
        }
    }

    private static Properties load(File file) throws Exception {
        Properties p = new Properties();
        // The runtime and the tool use Properties.load(InputStream): ISO-8859-1.
        try (InputStream in = new FileInputStream(file)) {
            p.load(in);
        }
        return p;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) sb.append(String.format("%02X", b));
        return sb.toString();
    }
}
