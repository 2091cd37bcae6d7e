package sws.net;

import java.time.Duration;

/**
 * What a listener's connections speak and what comes before it: the protocol, TLS or not, a PROXY
 * header or not.
 *
 * @param tls the certificate and key of a TLS listener, or null for plain connections
 * @param proxies the peers that may connect when each connection must begin with a PROXY header, or null
 *     when none is expected
 * @param preambleTimeout how long a client has for the PROXY header and the TLS handshake together
 */
public record Endpoint(Protocol protocol, TlsContext tls, TrustedProxies proxies, Duration preambleTimeout) {}
