package sws.http;

/** What a handler makes of a request head: a response ready now, or one another thread will make. */
public sealed interface Reply permits Response, Deferred {}
