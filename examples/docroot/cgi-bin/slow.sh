#!/bin/sh
# Streams: one line a second. sws passes each line on as it comes (chunked for HTTP/1.1), so
# `curl -N http://localhost:8080/cgi-bin/slow.sh` prints them a second apart.
printf 'Content-Type: text/plain\r\n\r\n'
for i in 1 2 3 4 5; do
  echo "line $i of 5 at $(date -u +%H:%M:%S)"
  sleep 1
done
