/**
 * Application shapes a name-based taint misreads, beside the shells that look like them:
 * PHP function scopes (a `$path` the request fills in one method is not the `$path` of
 * another), paths canonicalized and checked against a fixed folder (PHP, C#, Java), a fixed
 * image tool run on checked numbers (C#), a sort through a literal table of comparators, a
 * `;` inside a string literal, Closure::fromCallable, and a classic-ASP request key computed
 * by the page's own function. Written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';
import { containedPaths } from '../../src/scan/guards.js';

const verdict = (path: string, text: string): string => findingOf(path, text)?.verdict ?? 'clean';

const PLUGINS = `<?php
class Site {
  function route() {
    $path = $_GET['p'];
    echo htmlspecialchars($path);
  }
  function addons() {
    $path = __DIR__ . '/addons';
    if ($dh = opendir($path)) {
      while (($file = readdir($dh)) !== false) {
        if (preg_match('/^init\\.(.+?)\\.php$/', $file)) require_once($file);
      }
    }
  }
}
`;

test('PHP: a name the request fills in one method does not taint the same name in another', () => {
  assert.equal(verdict('lib/site.php', PLUGINS), 'clean');
  // the same method reading the request itself is still reported
  const own = PLUGINS.replace("__DIR__ . '/addons'", '$_GET["d"]');
  assert.ok(reasons(findingOf('lib/site.php', own)).includes('request chooses a file-system path the page passes to opendir'));
  // `global` brings the page's request value into the function
  const global = '<?php\n$path = $_GET["p"];\nfunction load() {\n  global $path;\n  include $path . "/x.php";\n}\nload();\n';
  assert.equal(verdict('load.php', global), 'malicious');
  // a parameter the page passes request data to (a small script)
  assert.equal(verdict('run.php', '<?php\nfunction run($c) {\n  $x = $c;\n  system($x);\n}\nrun($_POST["c"]);\n'), 'malicious');
});

test('PHP: a method named unserialize, defined or called on an object, is not unserialize()', () => {
  const gadget = '  function __destruct() { eval($this->code); }\n';
  const lib = `<?php\nclass Store {\n${gadget}  public function unserialize($data) {\n    return $this->serializer->unserialize($data);\n  }\n}\n$data = $_POST['d'];\necho strlen($data);\n`;
  assert.ok(!reasons(findingOf('store.php', lib)).some((r) => r.startsWith('request data unserialized')));
  const shell = `<?php\nclass Store {\n${gadget}}\n$o = unserialize($_COOKIE['o']);\n`;
  assert.equal(verdict('x.php', shell), 'malicious');
});

test('PHP: a `;` inside a string literal does not end the assignment', () => {
  const shell = `<?php\n$in = $_SERVER['HTTP_ACCEPT_LANGUAGE'];\n$parts = explode(';', base64_decode($in));\n$fn = Closure::fromCallable($parts[0]);\n$fn->__invoke($parts[1]);\n`;
  assert.equal(verdict('lang.php', shell), 'malicious');
  const dangerous = `<?php\n$f = Closure::fromCallable('sys' . 'tem');\n$f($_GET['c']);\n`;
  assert.equal(verdict('f.php', dangerous), 'malicious');
  // the page's own method wrapped in a closure is no request-chosen function
  const own = `<?php\nclass A {\n  function go($p) {\n    $h = Closure::fromCallable([$this, $_GET['m'] ?? 'render']);\n    return $h($p);\n  }\n}\n`;
  assert.ok(!reasons(findingOf('a.php', own)).includes('request input chooses the function a closure wraps (Closure::fromCallable)'));
});

test('PHP: a call through a literal table of harmless names is the page dispatching to its own handlers', () => {
  const sort = `<?php
$rows = load_rows();
$sortable = ['name' => 'strcasecmp', 'date' => 'cmp_dates', 'size' => 'cmp_numeric'];
$col = $_GET['sort'] ?? 'name';
if (!isset($sortable[$col])) $col = 'name';
usort($rows, fn($a, $b) => $sortable[$col]($a[$col], $b[$col]));
foreach ($rows as $r) echo htmlspecialchars($r['name']);
`;
  assert.equal(verdict('sort.php', sort), 'clean');
  const table = `<?php\n$t = ['a' => 'system', 'b' => 'strlen'];\n$t[$_GET['k']]($_GET['c']);\n`;
  assert.equal(verdict('t.php', table), 'malicious');
});

test('containedPaths: canonicalized, prefix-checked, never assigned otherwise', () => {
  const php = `$base = realpath('/srv/up');\n$dir = realpath($base . '/' . $_GET['d']);\nif ($dir === false || strpos($dir . '/', $base . '/') !== 0) exit;\n`;
  assert.deepEqual([...containedPaths(php, 'php')], ['$dir']);
  // assigned again from the request: not held
  assert.deepEqual([...containedPaths(`${php}$dir = $_GET['x'];\n`, 'php')], []);
  // no prefix test
  assert.deepEqual([...containedPaths(php.replace(/strpos\([^)]*\)/, 'false'), 'php')], []);
  const cs = 'string full = Path.GetFullPath(Path.Combine(root, name));\nif (!full.StartsWith(root)) return;\n';
  assert.deepEqual([...containedPaths(cs, 'cs')], ['full']);
  const java = 'Path p = base.resolve(name).normalize();\nif (!p.startsWith(base)) { response.sendError(403); return; }\n';
  assert.deepEqual([...containedPaths(java, 'java')], ['p']);
});

const UPLOADS = `<?php
session_start();
if (empty($_SESSION['admin'])) { header('Location: /admin/login.php'); exit; }
$base = realpath(__DIR__ . '/../uploads');
$rel = $_GET['dir'] ?? '';
$dir = realpath($base . '/' . $rel);
if ($dir === false || strpos($dir . '/', $base . '/') !== 0) { http_response_code(403); exit('Forbidden'); }
if (isset($_POST['delete'])) {
  $target = realpath($dir . '/' . basename($_POST['delete']));
  if ($target && strpos($target, $base . '/') === 0 && is_file($target)) unlink($target);
}
foreach (scandir($dir) as $f) echo htmlspecialchars($f), "<br>";
`;

test('an uploads browser confined to its folder is not a file manager shell; the same without the checks is', () => {
  assert.equal(verdict('admin/uploads.php', UPLOADS), 'clean');
  const open = UPLOADS.replace(/realpath\(/g, 'trim(');
  assert.notEqual(verdict('admin/uploads.php', open), 'clean');
});

const DOWNLOAD = `<%@ WebHandler Language="C#" Class="Download" %>
using System;
using System.IO;
using System.Web;
public class Download : IHttpHandler {
    public void ProcessRequest(HttpContext ctx) {
        string root = Path.GetFullPath(ctx.Server.MapPath("~/App_Data/docs/"));
        string name = ctx.Request.QueryString["f"] ?? "";
        string full = Path.GetFullPath(Path.Combine(root, name));
        if (!full.StartsWith(root, StringComparison.OrdinalIgnoreCase) || !File.Exists(full)) { ctx.Response.StatusCode = 404; return; }
        ctx.Response.TransmitFile(full);
    }
    public bool IsReusable { get { return true; } }
}
`;

test('C#: a download confined with GetFullPath and StartsWith is not flagged; without the check it is', () => {
  assert.equal(verdict('download.ashx', DOWNLOAD), 'clean');
  assert.notEqual(verdict('download.ashx', DOWNLOAD.replace('string full = Path.GetFullPath(Path.Combine(root, name));', 'string full = Path.Combine(root, name);')), 'clean');
});

const THUMB = `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
protected void Page_Load(object sender, EventArgs e) {
    int id;
    if (!int.TryParse(Request.QueryString["id"], out id) || id <= 0) { Response.StatusCode = 400; return; }
    string src = Server.MapPath("~/App_Data/images/" + id + ".jpg");
    string dst = Server.MapPath("~/App_Data/thumbs/" + id + ".jpg");
    var psi = new ProcessStartInfo(@"C:\\Tools\\ImageMagick\\magick.exe", string.Format("\\"{0}\\" -resize 200x \\"{1}\\"", src, dst));
    psi.UseShellExecute = false;
    using (var p = Process.Start(psi)) { p.WaitForExit(10000); }
    Response.WriteFile(dst);
}
</script>
`;

test('C#: a fixed image tool run on checked numbers is not a shell; a fixed interpreter or request text still is', () => {
  const f = findingOf('thumb.aspx', THUMB);
  assert.equal(f?.verdict ?? 'clean', 'clean', reasons(f).join('; '));
  // one program run, one capability
  assert.ok(reasons(f).filter((r) => r.startsWith('runs OS commands')).length <= 1);
  const cmd = THUMB.replace(/@"C:[^"]*magick\.exe"/, '"cmd.exe"');
  assert.ok(cmd.includes('"cmd.exe"'));
  assert.notEqual(verdict('thumb.aspx', cmd), 'clean');
  const shell = '<%@ Page Language="C#" %>\n<% System.Diagnostics.Process.Start("cmd.exe", "/c " + Request["c"]); %>\n';
  assert.equal(verdict('s.aspx', shell), 'malicious');
});

test('classic ASP: a request key the page computes from a literal is a key, not code', () => {
  const shell = '<% Function k(v):k=StrReverse(v):End Function\nExecuteGlobal k(Request.Item(k("yek"))) %>\n';
  assert.equal(verdict('index_bak.asp', shell), 'malicious');
  assert.equal(verdict('index_bak.asp', '<% Function k(v):k=StrReverse(v):End Function\nExecuteGlobal Request.Item(k("yek")) %>\n'), 'malicious');
});

const HOOKS = `<?php
final class Hooks {
    private const ALLOWED = ['order_created', 'order_paid'];
    private array $listeners = [];
    public function on(string $event, callable $cb): void {
        if (!in_array($event, self::ALLOWED, true)) throw new InvalidArgumentException($event);
        $this->listeners[$event][] = $cb;
    }
    public function fire(string $event, array $payload = []): void {
        foreach ($this->listeners[$event] ?? [] as $cb) call_user_func_array($cb, [$payload]);
    }
}
$hooks = new Hooks();
$hooks->on('order_paid', [Mailer::class, 'sendReceipt']);
$event = $_POST['event'] ?? '';
$map = ['paid' => 'order_paid', 'new' => 'order_created'];
if (isset($map[$event])) $hooks->fire($map[$event], ['id' => (int)($_POST['id'] ?? 0)]);
`;

test('PHP: looping over the list a request key picks from the page\u2019s own table hands over the page\u2019s values', () => {
  assert.equal(verdict('hooks.php', HOOKS), 'clean');
  // a loop over the request itself, or over a table the request fills, still hands over request data
  assert.equal(verdict('h.php', '<?php\nforeach ($_POST as $k => $v) { $k($v); }\n'), 'malicious');
  assert.equal(verdict('h.php', '<?php\n$t = $_POST["t"];\nforeach ($t[$_GET["k"]] as $f) { $f($_GET["a"]); }\n'), 'malicious');
});

test('classic ASP: a page of a few lines splicing a request value into code it executes is a loader', () => {
  const f = findingOf('a.asp', '<% Execute("x=1:" & Request("c")) %>\n');
  assert.equal(f?.verdict, 'malicious');
  assert.deepEqual(reasons(f), ['request value spliced into code a page of a few lines runs with Execute (loader)']);
  // in an application page that includes its own files, the same splice is an injectable page
  const app = `<!--#include file="conn.asp"-->\n<% Execute("Call Show_" & Request("act") & "()") %>\n`;
  assert.equal(verdict('admin.asp', app), 'clean');
});

test('PHP: a template compiler including the code it generated as a data: URI is eval by another name, not a payload', () => {
  const compiler = `<?php\nclass Compiler {\n  public static function prepare($php) {\n    return include('data://text/plain,' . urlencode($php));\n  }\n}\n`;
  const f = findingOf('Compiler.php', compiler);
  assert.equal(f?.verdict ?? 'clean', 'clean', reasons(f).join('; '));
  // the request's text, a base64 payload or the request body through a data: URI are still code from outside
  assert.equal(verdict('d.php', '<?php\ninclude("data://text/plain," . $_GET["c"]);\n'), 'malicious');
  assert.equal(verdict('d.php', '<?php\ninclude "data://text/plain;base64,PD9waHAgc3lzdGVtKCRfR0VUWzBdKTsgPz4=";\n'), 'malicious');
  assert.equal(verdict('d.php', '<?php\ninclude "php://input";\n'), 'malicious');
});

test('PHP: in an application file, the client file name in one function is not the copy destination of another', () => {
  const filler = `${'// ------------------------------------------------------------------------\n'.repeat(230)}`;
  const app = `<?php\n${filler}function media_upload() {\n  $id = basename($_FILES['upload']['name']);\n  return media_save($_FILES['upload']['tmp_name'], $id);\n}\nfunction media_keep_old($id) {\n  $oldf = media_path($id);\n  $newf = media_path($id, time());\n  if (copy($oldf, $newf)) return true;\n  return false;\n}\n`;
  assert.ok(app.length >= 16384);
  assert.ok(!reasons(findingOf('media.php', app)).some((r) => r.includes('stores an upload under a name the client chose')), JSON.stringify(reasons(findingOf('media.php', app))));
  // the same names in one small script are the client's name
  const small = `<?php\n$id = basename($_FILES['upload']['name']);\n$newf = './files/' . $id;\ncopy($_FILES['upload']['tmp_name'], $newf);\n`;
  assert.notEqual(verdict('up.php', small), 'clean');
});

test('PHP: an uploader pasted into an application file is unchecked when the checks there look at something else', () => {
  const pasted = `<?php\nif ($_GET['k'] == 'up') {\n  if (@copy($_FILES['f']['tmp_name'], $_FILES['f']['name'])) echo 'ok';\n}\n$alias = $_GET['api'] ?? 'soap';\nif (in_array($alias, ['soap', 'rest'], true)) { run_api($alias); }\n`;
  const f = findingOf('api.php', pasted);
  assert.equal(f?.verdict, 'malicious', JSON.stringify(reasons(f)));
  // a check of the upload's own extension keeps it an upload handler
  const checked = `<?php\n$ext = strtolower(pathinfo($_FILES['f']['name'], PATHINFO_EXTENSION));\nif (!in_array($ext, ['jpg', 'png'], true)) exit('type');\nmove_uploaded_file($_FILES['f']['tmp_name'], 'up/' . bin2hex(random_bytes(8)) . '.' . $ext);\n`;
  assert.notEqual(verdict('up.php', checked), 'malicious');
});
