#!/bin/sh
# Shows the CGI/1.1 meta-variables (RFC 3875 section 4.1) this request produced.
printf 'Content-Type: text/plain; charset=utf-8\r\n\r\n'
exec /usr/bin/env
