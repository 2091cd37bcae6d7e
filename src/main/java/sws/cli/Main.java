package sws.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import sws.Server;
import sws.StartException;
import sws.http.Version;
import sws.net.Addresses;

/**
 * The sws command: reads the options, daemonizes when asked, runs a {@link Server} until a signal stops it.
 * A user's mistake is one line on stderr: the usage and exit 2 for a malformed command line, exit 1 for
 * one the system refuses.
 */
@Command(
        name = "sws",
        sortOptions = false,
        customSynopsis = "sws [-dfh] [-c dir] [-i address] [-l file] [-p port] [long options] dir",
        usageHelpAutoWidth = true,
        versionProvider = Main.VersionProvider.class,
        defaultValueProvider = Options.Defaults.class,
        description = "A simple web server: serves dir over HTTP/1.1, with directory indexes, ~user and CGI.")
public final class Main implements Callable<Integer> {
    @CommandLine.Mixin
    Options options;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("sws: " + e.getMessage());
            e.getCommandLine().usage(e.getCommandLine().getErr());
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("sws: " + e.getMessage());
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() throws Failure {
        options.validate();
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
        if (options.debug && server.cgiSpawning() != null) {
            System.err.println("sws: CGI programs start with " + server.cgiSpawning());
        }
        Signals.onStop(() -> Thread.ofPlatform().name("sws-stop").start(server::close));
        Signals.onHangUp(server::reopenLog);
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

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sws " + Version.VERSION};
        }
    }
}
