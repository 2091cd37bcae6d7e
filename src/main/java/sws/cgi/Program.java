package sws.cgi;

import java.io.InputStream;
import java.io.OutputStream;

/** One running CGI program, in a session and process group of its own, with its three pipes. */
interface Program {
    OutputStream stdin();

    InputStream stdout();

    InputStream stderr();

    boolean alive();

    /** Waits for the program's exit and reaps it, so that it never lingers as a zombie. */
    void waitFor() throws InterruptedException;

    /** Kills the program, its process group and every descendant still known; nothing once it is reaped. */
    void kill();
}
