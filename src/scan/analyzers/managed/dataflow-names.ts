/**
 * The names the managed data flow (dataflow.ts) reads: keywords that are not method names,
 * request sources of Java and C#, request types, calls that fill their receiver or argument,
 * and the members of posted server controls.
 */
export const KEYWORDS = new Set([
  'if',
  'for',
  'foreach',
  'while',
  'switch',
  'catch',
  'synchronized',
  'using',
  'lock',
  'return',
  'new',
  'throw',
  'else',
  'do',
  'try',
  'finally',
  'case',
  'typeof',
  'sizeof',
  'nameof',
  'await',
  'yield',
  'fixed',
  'checked',
  'unchecked',
  'default',
  'super',
  'this',
  'base',
  'function',
]);

/** Java request reads: method names on a request object. */
export const JAVA_SOURCE_METHODS = new Set([
  'getParameter',
  'getParameterValues',
  'getParameterMap',
  'getParameterNames',
  'getHeader',
  'getHeaders',
  'getInputStream',
  'getReader',
  'getQueryString',
  'getPart',
  'getParts',
  'getCookies',
  'getSubmittedFileName',
]);
/** C# request members: `Request.Form[..]`, `Request["x"]`, `Request.InputStream`. */
export const CS_SOURCE_MEMBERS = new Set([
  'Form',
  'QueryString',
  'Params',
  'Item',
  'Headers',
  'Cookies',
  'InputStream',
  'BinaryRead',
  'Files',
  'Body',
  'Query',
  'ServerVariables',
  'Unvalidated',
  'GetBufferlessInputStream',
  'GetBufferedInputStream',
]);
/** Java types whose variables are request objects. */
export const JAVA_REQUEST_TYPES =
  /^(?:HttpServletRequest|ServletRequest|HttpServletRequestWrapper|MultipartHttpServletRequest|WebRequest|NativeWebRequest|ServerHttpRequest|PortletRequest|ActionRequest|RenderRequest|ResourceRequest)$/;
/** Calls that hand back the request of a page, event or Spring holder. */
export const REQUEST_GETTERS = new Set(['getRequest', 'getServletRequest', 'getNativeRequest']);
/** Stream reads that fill their first argument from the receiver: `in.read(buf)`. */
export const FILLERS = new Set(['read', 'readFully', 'readNBytes', 'Read']);
/** Writers whose `write` calls are output, not a buffer being filled. */
export const OUTPUTS = new Set(['out', 'response', 'Response', 'writer', 'pw']);
/** Request members that are the posted file itself (its name, bytes, stream). */
export const UPLOADS = new Set(['getPart', 'getParts', 'getSubmittedFileName', 'Files', 'PostedFile', 'FileBytes', 'FileContent', 'FileName']);
/** Calls that put their argument into the receiver (collections, builders, streams). */
export const MUTATORS = new Set([
  'add',
  'addAll',
  'put',
  'putAll',
  'append',
  'push',
  'insert',
  'offer',
  'set',
  'setProperty',
  'Add',
  'AddRange',
  'Append',
  'AppendLine',
  'Insert',
  'Push',
  'Enqueue',
  'Set',
]);
/** Members of server controls whose value the client posts. */
export const CONTROL_MEMBERS = new Set(['Text', 'Value', 'SelectedValue', 'SelectedItem', 'PostedFile', 'FileBytes', 'FileContent', 'FileName', 'InnerText']);
