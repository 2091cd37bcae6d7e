#!/usr/bin/perl
# A form that POSTs to itself: GET shows it, POST shows what was sent (application/x-www-form-urlencoded).
use strict;
use warnings;

sub html_escape {
    my ($s) = @_;
    $s =~ s/&/&amp;/g; $s =~ s/</&lt;/g; $s =~ s/>/&gt;/g; $s =~ s/"/&quot;/g;
    return $s;
}

sub url_decode {
    my ($s) = @_;
    $s =~ tr/+/ /;
    $s =~ s/%([0-9A-Fa-f]{2})/chr(hex($1))/ge;
    return $s;
}

my $method = $ENV{REQUEST_METHOD} // 'GET';
my $answer = '';
if ($method eq 'POST') {
    my $length = $ENV{CONTENT_LENGTH} // 0;
    my $body = '';
    read(STDIN, $body, $length) if $length > 0;
    my %field = map { my ($k, $v) = split /=/, $_, 2; (url_decode($k), url_decode($v // '')) } split /&/, $body;
    my $name = html_escape($field{name} // '');
    my $words = html_escape($field{words} // '');
    $answer = "<p>Hello, <strong>$name</strong>. You wrote: <q>$words</q> ($length bytes posted).</p>\n";
}

print "Content-Type: text/html; charset=utf-8\r\n\r\n";
print <<"HTML";
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>sws form example</title></head>
<body>
<h1>A form</h1>
$answer<form method="post" action="$ENV{SCRIPT_NAME}">
<p><label>Name <input name="name"></label></p>
<p><label>Words <textarea name="words"></textarea></label></p>
<p><button>Send</button></p>
</form>
</body>
</html>
HTML
