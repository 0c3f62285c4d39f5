"""A native, Perl-free implementation of Sqitch's plan format, ids and PostgreSQL registry."""
