package sws.cli;

import java.io.IOException;
import sws.Server;
import sws.StartException;
import sws.http.Version;
import sws.net.Addresses;
import sws.net.TlsContext;

/**
 * The sws command: reads the options, daemonizes when asked, runs a {@link Server} until a signal stops it.
 * A user's mistake is one line on stderr: with the usage and exit 2 for a malformed command line, exit 1 for
 * one the system refuses.
 */
public final class Main {
    private final Options options;

    private Main(Options options) {
        this.options = options;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (Options.Misuse e) {
            System.err.println("sws: " + e.getMessage());
            System.err.print(Options.usage());
            return 2;
        }
        if (options.help) {
            System.out.print(Options.usage());
            return 0;
        }
        if (options.version) {
            System.out.println("sws " + Version.VERSION);
            return 0;
        }
        try {
            return new Main(options).serve();
        } catch (Failure f) {
            System.err.println("sws: " + f.getMessage());
            return 1;
        }
    }

    private int serve() throws Failure {
        options.check();
        if (!options.debug && !options.foreground && !Daemon.isChild()) {
            return Daemon.launch();
        }
        Server server;
        try {
            server = Server.start(options.config());
        } catch (StartException e) {
            throw new Failure(e.getMessage());
        }
        PidFile pid;
        try {
            pid = PidFile.write(options.pidFile);
        } catch (Failure f) {
            server.close();
            throw f;
        }
        if (options.port == 0) {
            announce(server);
        }
        if (options.metrics != null && options.metrics.endsWith(":0")) {
            try {
                System.err.println("sws: metrics on port " + server.metricsPort());
            } catch (IOException e) {
                // stopped already
            }
        }
        if (options.redirectPort != null && options.redirectPort == 0) {
            System.err.println("sws: redirecting to HTTPS from port " + server.redirectPort());
        }
        if (options.debug && server.cgiSpawning() != null) {
            System.err.println("sws: CGI programs start with " + server.cgiSpawning());
        }
        Signals.onStop(() -> Thread.ofPlatform().name("sws-stop").start(server::close));
        Signals.onHangUp(() -> {
            server.reopenLog();
            try {
                server.reloadTls();
            } catch (TlsContext.Unusable e) {
                System.err.println("sws: warning: " + e.getMessage() + "; keeping the certificate in use");
            }
        });
        if (Daemon.isChild()) {
            Daemon.ready();
        }
        try {
            server.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
        pid.delete();
        return 0;
    }

    /** With -p 0 the port is news: "sws: listening on ADDRESS:PORT", each address once. */
    private static void announce(Server server) {
        try {
            for (var a : server.addresses()) {
                String host = Addresses.text(a.getAddress());
                System.err.println(
                        "sws: listening on " + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort());
            }
        } catch (IOException e) {
            System.err.println("sws: listening on port " + server.port());
        }
    }
}
