package sws.cli;

/** A user's mistake that ends sws with one plain line on stderr and exit status 1. */
final class Failure extends Exception {
    Failure(String message) {
        super(message, null, false, false);
    }
}
