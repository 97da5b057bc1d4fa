#!/usr/bin/perl
# The benchmark's echo server on Perl's Net::Server (Debian libnet-server-perl): every line read
# is written back, until the client closes. Same settings as bench/servers/net-server-echo.mjs.
#   perl bench/servers/net-server-echo.pl PORT [Net::Server options...]
package BenchEcho;
use strict;
use warnings;
use base qw(Net::Server::PreFork);
$| = 1;

sub process_request {
    my $self = shift;
    local $| = 1;
    while (my $line = <STDIN>) {
        print $line;
    }
}

sub child_init_hook {
    print STDOUT "child ready\n";
}

sub pre_loop_hook {
    my $self = shift;
    print STDOUT "listening 127.0.0.1:$self->{server}->{port}->[0] PreFork\n";
}

my $port = shift @ARGV;
BenchEcho->run(host => '127.0.0.1', port => $port, log_level => 0, @ARGV ? () : ());
