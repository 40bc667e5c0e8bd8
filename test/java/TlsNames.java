import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * Prints the protocol and cipher suite names this JDK's SunJSSE supports ("protocol\tNAME", "cipher\tNAME"): the
 * independent check that every name a TLS fix can write is one a JDK knows (no typo in schemas/tls-policy.json).
 */
public class TlsNames {
    public static void main(String[] args) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = context.createSSLEngine();
        for (String protocol : engine.getSupportedProtocols()) System.out.println("protocol\t" + protocol);
        for (String cipher : engine.getSupportedCipherSuites()) System.out.println("cipher\t" + cipher);
        System.out.println("version\t" + System.getProperty("java.specification.version"));
    }
}
