#!/usr/bin/perl
# The HUP benchmark's Perl Net::Server (Single): each line answered `generation:line`, the
# generation a token drawn at program start (the pid stays the same across Perl's exec).
package HupBench;
use strict;
use warnings;
use base qw(Net::Server);
my $generation = int(rand(1_000_000_000));
sub process_request {
    my $self = shift;
    while (my $line = <STDIN>) {
        $line =~ s/\r?\n$//;
        print "$generation:$line\n";
    }
}
HupBench->run(host => '127.0.0.1', log_level => 0);
