package sws.http;

import sws.io.Quietly;

/** What a handler makes of a request head: a response ready now, or one another thread will make. */
public sealed interface Reply permits Response, Deferred {
    /** Lets go of a reply that will never be sent: closes the file it holds, or stops its making. */
    static void discard(Reply reply) {
        switch (reply) {
            case Response response -> closeFiles(response.body());
            case Deferred deferred -> deferred.cancel();
        }
    }

    /** Closes the files a body holds open. */
    static void closeFiles(Body body) {
        switch (body) {
            case Body.FileRegion region -> Quietly.close(region.channel());
            case Body.Parts parts -> parts.parts().forEach(Reply::closeFiles);
            case Body.Stream stream -> stream.source().release();
            default -> {}
        }
    }
}
