/**
 * The names the PHP token data flow (dataflow.ts) reads calls by: the sinks that run code or
 * commands, the callback runners and where their callee goes, the calls whose result carries
 * none of their argument's text, and the built-ins that pass text through.
 */

export const CODE_SINKS = new Set(['eval', 'assert', 'create_function']);
export const CMD_SINKS = new Set(['system', 'exec', 'shell_exec', 'passthru', 'popen', 'proc_open', 'pcntl_exec', 'expect_popen']);
/** Callback runners: name -> index of the callee argument (-1: the last one). */
export const CALLBACKS = new Map<string, number>([
  ['call_user_func', 0],
  ['call_user_func_array', 0],
  ['forward_static_call', 0],
  ['forward_static_call_array', 0],
  ['array_map', 0],
  ['array_filter', 1],
  ['array_walk', 1],
  ['array_walk_recursive', 1],
  ['array_reduce', 1],
  ['usort', 1],
  ['uasort', 1],
  ['uksort', 1],
  ['register_shutdown_function', 0],
  ['register_tick_function', 0],
  ['iterator_apply', 1],
  ['ob_start', 0],
  ['set_error_handler', 0],
  ['set_exception_handler', 0],
  ['spl_autoload_register', 0],
  ['header_register_callback', 0],
  ['array_intersect_uassoc', -1],
  ['array_diff_uassoc', -1],
  ['array_udiff', -1],
  ['array_uintersect', -1],
  ['preg_replace_callback', 1],
  ['mb_ereg_replace_callback', 1],
]);
/** Runners that pass their arguments after the callee to it in order; the others hand it elements of their data. */
export const POSITIONAL_CALLBACKS = new Set(['call_user_func', 'forward_static_call', 'register_shutdown_function', 'register_tick_function']);
/** Methods of SPL containers and ArrayObject that store their (last) argument in the receiver. */
export const STORING_METHODS = new Set(['push', 'unshift', 'enqueue', 'append', 'offsetset', 'add', 'insert', 'attach', 'exchangearray']);
/** `(int)`-style casts: their result is a number or a boolean, never the operand's text. */
export const SCALAR_CASTS = new Set(['int', 'integer', 'float', 'double', 'bool', 'boolean']);
/** Functions whose result carries no text of their argument (a number, a hash, a boolean). */
export const KILLS = new Set([
  'intval',
  'floatval',
  'boolval',
  'count',
  'strlen',
  'md5',
  'sha1',
  'crc32',
  'hash',
  'isset',
  'empty',
  'is_numeric',
  'is_array',
  'is_string',
  'file_exists',
  'is_file',
  'is_dir',
  'in_array',
  'array_key_exists',
  'strcmp',
  'strpos',
  'stripos',
  'htmlspecialchars',
  'htmlentities',
  'escapeshellarg',
  'basename',
  'preg_match',
  'preg_quote',
  'json_encode',
  'filesize',
  'time',
]);
/**
 * Built-in functions whose result carries their argument's text (decoders, string and array
 * plumbing, decryption): request data passes through them. Any other call not defined in the
 * file (a framework lookup, a registry, a validator) stops the flow: applications pass request
 * values to such functions all the time and get back their own values.
 */
export const TRANSPARENT = new Set(
  (
    'array base64_decode str_rot13 strrev gzinflate gzuncompress gzdecode hex2bin urldecode rawurldecode stripslashes stripcslashes ' +
    'trim ltrim rtrim substr str_replace str_ireplace preg_replace strtolower strtoupper ucfirst lcfirst implode join explode array_pop ' +
    'array_shift array_values array_slice array_merge array_reverse array_flip array_keys reset end current next each sprintf vsprintf ' +
    'str_pad strtr pack unpack openssl_decrypt mcrypt_decrypt convert_uudecode json_decode unserialize str_split chunk_split strval ' +
    'iconv mb_convert_encoding utf8_decode utf8_encode htmlspecialchars_decode html_entity_decode addslashes escapeshellcmd func_get_args ' +
    'func_get_arg file_get_contents fgets fread stream_get_contents gzread bzdecompress base64_encode urlencode rawurlencode bin2hex ' +
    'str_repeat substr_replace wordwrap array_map array_filter array_combine array_fill_keys array_column compact extract strip_tags ' +
    'mb_substr mb_strtolower mb_strtoupper iterator_to_array get_object_vars ' +
    // containers built around their argument: their elements are what it held
    'arrayobject arrayiterator recursivearrayiterator iteratoriterator cachingiterator limititerator infiniteiterator norewinditerator'
  ).split(' '),
);
export const REQUEST_ARRAYS = new Set(['_GET', '_POST', '_REQUEST', '_COOKIE', '_FILES', 'HTTP_GET_VARS', 'HTTP_POST_VARS', 'HTTP_COOKIE_VARS', 'HTTP_RAW_POST_DATA']);
/** Callees that run their arguments as code or commands when named by a string. */
export const RUNNERS = new Set([...CODE_SINKS, ...CMD_SINKS]);
