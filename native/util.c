/* Argument and result helpers shared by every binding. */
#include "bsd.h"

#include <errno.h>
#include <string.h>

/* Integers arrive as JS numbers. Node-API's own int32/uint32 conversions
 * wrap out-of-range values (2**32 would become fd 0), so every integer
 * argument is read as a double and checked: a non-number, a fraction, NaN
 * or an out-of-range value is refused. The hot paths cost one
 * napi_get_value_double and two compares. */
static int read_integer(napi_env env, napi_value v, double lo, double hi, double *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return -EINVAL;
  if (!(d >= lo && d <= hi) || d != (double)(int64_t)d) return -ERANGE;
  *out = d;
  return 0;
}

int bsd_read_int32(napi_env env, napi_value v, int32_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= (double)INT32_MIN && d <= (double)INT32_MAX)) return -EINVAL;
  int32_t i = (int32_t)d;
  if ((double)i != d) return -EINVAL;
  *out = i;
  return 0;
}

/* The safe-integer range: every such double is exact. */
#define SAFE_MAX 9007199254740991.0

int bsd_read_int64(napi_env env, napi_value v, int64_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= -SAFE_MAX && d <= SAFE_MAX)) return -EINVAL;
  int64_t i = (int64_t)d;
  if ((double)i != d) return -EINVAL;
  *out = i;
  return 0;
}

int bsd_read_uint32(napi_env env, napi_value v, uint32_t *out) {
  double d;
  if (read_integer(env, v, 0.0, (double)UINT32_MAX, &d)) return -EINVAL;
  *out = (uint32_t)d;
  return 0;
}

int bsd_read_bool(napi_env env, napi_value v, int *out) {
  bool b;
  if (napi_get_value_bool(env, v, &b) != napi_ok) return -EINVAL;
  *out = b;
  return 0;
}

int bsd_read_int32s(napi_env env, napi_value v, size_t min, int32_t **out) {
  bool is = false;
  napi_typedarray_type type;
  size_t length, offset;
  void *data;
  napi_value ab;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &offset) != napi_ok || type != napi_int32_array ||
      length < min || data == NULL)
    return -EINVAL;
  *out = data;
  return 0;
}

static size_t typedarray_width(napi_typedarray_type type) {
  switch (type) {
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: return 8;
    default: return 1;
  }
}

/* Node reports an empty or detached buffer as a NULL pointer; memcpy and
 * pointer arithmetic on NULL are undefined even with length 0, so callers
 * get a pointer to this instead. */
static char no_bytes[1];

static int bytes_found(void **data) {
  if (*data == NULL) *data = no_bytes;
  return 0;
}

int bsd_read_bytes(napi_env env, napi_value v, void **data, size_t *len) {
  bool is;
  /* Node's buffer check accepts every ArrayBufferView: the common case in
   * two cheap calls (cheaper than napi_get_typedarray_info, which works out
   * the element type by testing each in turn). napi_is_buffer must come
   * first: napi_get_buffer_info only checks its argument since 2024, and
   * on older Node versions aborts the process for anything else. */
  if (napi_is_buffer(env, v, &is) == napi_ok && is) {
    if (napi_get_buffer_info(env, v, data, len) == napi_ok) return bytes_found(data);
  }
  /* Newer Node versions take only a Uint8Array as a buffer. */
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t length;
    if (napi_get_typedarray_info(env, v, &type, &length, data, NULL, NULL) == napi_ok) {
      *len = length * typedarray_width(type);
      return bytes_found(data);
    }
  }
  if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    napi_value ab;
    size_t offset;
    if (napi_get_dataview_info(env, v, len, data, &ab, &offset) == napi_ok) return bytes_found(data);
  }
  if (napi_is_arraybuffer(env, v, &is) == napi_ok && is) {
    if (napi_get_arraybuffer_info(env, v, data, len) == napi_ok) return bytes_found(data);
  }
  return -EINVAL;
}

int bsd_read_span(napi_env env, napi_value *argv, char **data, size_t *len) {
  void *base;
  size_t total;
  int64_t offset, length;
  if (bsd_read_bytes(env, argv[0], &base, &total) || bsd_read_int64(env, argv[1], &offset) ||
      bsd_read_int64(env, argv[2], &length))
    return -EINVAL;
  if (offset < 0 || length < 0 || (uint64_t)offset > total || (uint64_t)length > total - (uint64_t)offset) return -EINVAL;
  *data = (char *)base + offset;
  *len = (size_t)length;
  return 0;
}

napi_value bsd_int(napi_env env, int64_t n) {
  napi_value v;
  /* A small integer (a Smi) straight away, without going through a double. */
  if (n >= INT32_MIN && n <= INT32_MAX)
    napi_create_int32(env, (int32_t)n, &v);
  else
    napi_create_int64(env, n, &v);
  return v;
}

napi_value bsd_undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

napi_value bsd_null(napi_env env) {
  napi_value v;
  napi_get_null(env, &v);
  return v;
}

napi_value bsd_errno(napi_env env, int err) {
  napi_value v;
  napi_create_int32(env, -err, &v);
  return v;
}

napi_value bsd_copy_buffer(napi_env env, const void *data, size_t len) {
  napi_value v;
  void *out;
  if (napi_create_buffer_copy(env, len, data, &out, &v) != napi_ok) return NULL;
  return v;
}

void bsd_export(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f);
  napi_set_named_property(env, exports, name, f);
}

/* strerror(errno) -> the C library's message, or -EINVAL for a non-integer. */
static napi_value js_strerror(napi_env env, napi_callback_info info) {
  ARGS(1);
  int32_t err;
  if (bsd_read_int32(env, argv[0], &err)) return bsd_errno(env, EINVAL);
  napi_value s;
  napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &s);
  return s;
}

/* The errno names this system defines, with their values from <errno.h>:
 * error codes ('ESHUTDOWN', ...) and PEP 3151 classes for the errnos that
 * Node's os.constants.errno leaves out. The list holds names only. */
static const struct {
  const char *name;
  int value;
} errno_table[] = {
#ifdef EPERM
    {"EPERM", EPERM},
#endif
#ifdef ENOENT
    {"ENOENT", ENOENT},
#endif
#ifdef ESRCH
    {"ESRCH", ESRCH},
#endif
#ifdef EINTR
    {"EINTR", EINTR},
#endif
#ifdef EIO
    {"EIO", EIO},
#endif
#ifdef ENXIO
    {"ENXIO", ENXIO},
#endif
#ifdef E2BIG
    {"E2BIG", E2BIG},
#endif
#ifdef ENOEXEC
    {"ENOEXEC", ENOEXEC},
#endif
#ifdef EBADF
    {"EBADF", EBADF},
#endif
#ifdef ECHILD
    {"ECHILD", ECHILD},
#endif
#ifdef EAGAIN
    {"EAGAIN", EAGAIN},
#endif
#ifdef ENOMEM
    {"ENOMEM", ENOMEM},
#endif
#ifdef EACCES
    {"EACCES", EACCES},
#endif
#ifdef EFAULT
    {"EFAULT", EFAULT},
#endif
#ifdef ENOTBLK
    {"ENOTBLK", ENOTBLK},
#endif
#ifdef EBUSY
    {"EBUSY", EBUSY},
#endif
#ifdef EEXIST
    {"EEXIST", EEXIST},
#endif
#ifdef EXDEV
    {"EXDEV", EXDEV},
#endif
#ifdef ENODEV
    {"ENODEV", ENODEV},
#endif
#ifdef ENOTDIR
    {"ENOTDIR", ENOTDIR},
#endif
#ifdef EISDIR
    {"EISDIR", EISDIR},
#endif
#ifdef EINVAL
    {"EINVAL", EINVAL},
#endif
#ifdef ENFILE
    {"ENFILE", ENFILE},
#endif
#ifdef EMFILE
    {"EMFILE", EMFILE},
#endif
#ifdef ENOTTY
    {"ENOTTY", ENOTTY},
#endif
#ifdef ETXTBSY
    {"ETXTBSY", ETXTBSY},
#endif
#ifdef EFBIG
    {"EFBIG", EFBIG},
#endif
#ifdef ENOSPC
    {"ENOSPC", ENOSPC},
#endif
#ifdef ESPIPE
    {"ESPIPE", ESPIPE},
#endif
#ifdef EROFS
    {"EROFS", EROFS},
#endif
#ifdef EMLINK
    {"EMLINK", EMLINK},
#endif
#ifdef EPIPE
    {"EPIPE", EPIPE},
#endif
#ifdef EDOM
    {"EDOM", EDOM},
#endif
#ifdef ERANGE
    {"ERANGE", ERANGE},
#endif
#ifdef EDEADLK
    {"EDEADLK", EDEADLK},
#endif
#ifdef ENAMETOOLONG
    {"ENAMETOOLONG", ENAMETOOLONG},
#endif
#ifdef ENOLCK
    {"ENOLCK", ENOLCK},
#endif
#ifdef ENOSYS
    {"ENOSYS", ENOSYS},
#endif
#ifdef ENOTEMPTY
    {"ENOTEMPTY", ENOTEMPTY},
#endif
#ifdef ELOOP
    {"ELOOP", ELOOP},
#endif
#ifdef EWOULDBLOCK
    {"EWOULDBLOCK", EWOULDBLOCK},
#endif
#ifdef ENOMSG
    {"ENOMSG", ENOMSG},
#endif
#ifdef EIDRM
    {"EIDRM", EIDRM},
#endif
#ifdef ECHRNG
    {"ECHRNG", ECHRNG},
#endif
#ifdef EL2NSYNC
    {"EL2NSYNC", EL2NSYNC},
#endif
#ifdef EL3HLT
    {"EL3HLT", EL3HLT},
#endif
#ifdef EL3RST
    {"EL3RST", EL3RST},
#endif
#ifdef ELNRNG
    {"ELNRNG", ELNRNG},
#endif
#ifdef EUNATCH
    {"EUNATCH", EUNATCH},
#endif
#ifdef ENOCSI
    {"ENOCSI", ENOCSI},
#endif
#ifdef EL2HLT
    {"EL2HLT", EL2HLT},
#endif
#ifdef EBADE
    {"EBADE", EBADE},
#endif
#ifdef EBADR
    {"EBADR", EBADR},
#endif
#ifdef EXFULL
    {"EXFULL", EXFULL},
#endif
#ifdef ENOANO
    {"ENOANO", ENOANO},
#endif
#ifdef EBADRQC
    {"EBADRQC", EBADRQC},
#endif
#ifdef EBADSLT
    {"EBADSLT", EBADSLT},
#endif
#ifdef EDEADLOCK
    {"EDEADLOCK", EDEADLOCK},
#endif
#ifdef EBFONT
    {"EBFONT", EBFONT},
#endif
#ifdef ENOSTR
    {"ENOSTR", ENOSTR},
#endif
#ifdef ENODATA
    {"ENODATA", ENODATA},
#endif
#ifdef ETIME
    {"ETIME", ETIME},
#endif
#ifdef ENOSR
    {"ENOSR", ENOSR},
#endif
#ifdef ENONET
    {"ENONET", ENONET},
#endif
#ifdef ENOPKG
    {"ENOPKG", ENOPKG},
#endif
#ifdef EREMOTE
    {"EREMOTE", EREMOTE},
#endif
#ifdef ENOLINK
    {"ENOLINK", ENOLINK},
#endif
#ifdef EADV
    {"EADV", EADV},
#endif
#ifdef ESRMNT
    {"ESRMNT", ESRMNT},
#endif
#ifdef ECOMM
    {"ECOMM", ECOMM},
#endif
#ifdef EPROTO
    {"EPROTO", EPROTO},
#endif
#ifdef EMULTIHOP
    {"EMULTIHOP", EMULTIHOP},
#endif
#ifdef EDOTDOT
    {"EDOTDOT", EDOTDOT},
#endif
#ifdef EBADMSG
    {"EBADMSG", EBADMSG},
#endif
#ifdef EOVERFLOW
    {"EOVERFLOW", EOVERFLOW},
#endif
#ifdef ENOTUNIQ
    {"ENOTUNIQ", ENOTUNIQ},
#endif
#ifdef EBADFD
    {"EBADFD", EBADFD},
#endif
#ifdef EREMCHG
    {"EREMCHG", EREMCHG},
#endif
#ifdef ELIBACC
    {"ELIBACC", ELIBACC},
#endif
#ifdef ELIBBAD
    {"ELIBBAD", ELIBBAD},
#endif
#ifdef ELIBSCN
    {"ELIBSCN", ELIBSCN},
#endif
#ifdef ELIBMAX
    {"ELIBMAX", ELIBMAX},
#endif
#ifdef ELIBEXEC
    {"ELIBEXEC", ELIBEXEC},
#endif
#ifdef EILSEQ
    {"EILSEQ", EILSEQ},
#endif
#ifdef ERESTART
    {"ERESTART", ERESTART},
#endif
#ifdef ESTRPIPE
    {"ESTRPIPE", ESTRPIPE},
#endif
#ifdef EUSERS
    {"EUSERS", EUSERS},
#endif
#ifdef ENOTSOCK
    {"ENOTSOCK", ENOTSOCK},
#endif
#ifdef EDESTADDRREQ
    {"EDESTADDRREQ", EDESTADDRREQ},
#endif
#ifdef EMSGSIZE
    {"EMSGSIZE", EMSGSIZE},
#endif
#ifdef EPROTOTYPE
    {"EPROTOTYPE", EPROTOTYPE},
#endif
#ifdef ENOPROTOOPT
    {"ENOPROTOOPT", ENOPROTOOPT},
#endif
#ifdef EPROTONOSUPPORT
    {"EPROTONOSUPPORT", EPROTONOSUPPORT},
#endif
#ifdef ESOCKTNOSUPPORT
    {"ESOCKTNOSUPPORT", ESOCKTNOSUPPORT},
#endif
#ifdef EOPNOTSUPP
    {"EOPNOTSUPP", EOPNOTSUPP},
#endif
#ifdef ENOTSUP
    {"ENOTSUP", ENOTSUP},
#endif
#ifdef EPFNOSUPPORT
    {"EPFNOSUPPORT", EPFNOSUPPORT},
#endif
#ifdef EAFNOSUPPORT
    {"EAFNOSUPPORT", EAFNOSUPPORT},
#endif
#ifdef EADDRINUSE
    {"EADDRINUSE", EADDRINUSE},
#endif
#ifdef EADDRNOTAVAIL
    {"EADDRNOTAVAIL", EADDRNOTAVAIL},
#endif
#ifdef ENETDOWN
    {"ENETDOWN", ENETDOWN},
#endif
#ifdef ENETUNREACH
    {"ENETUNREACH", ENETUNREACH},
#endif
#ifdef ENETRESET
    {"ENETRESET", ENETRESET},
#endif
#ifdef ECONNABORTED
    {"ECONNABORTED", ECONNABORTED},
#endif
#ifdef ECONNRESET
    {"ECONNRESET", ECONNRESET},
#endif
#ifdef ENOBUFS
    {"ENOBUFS", ENOBUFS},
#endif
#ifdef EISCONN
    {"EISCONN", EISCONN},
#endif
#ifdef ENOTCONN
    {"ENOTCONN", ENOTCONN},
#endif
#ifdef ESHUTDOWN
    {"ESHUTDOWN", ESHUTDOWN},
#endif
#ifdef ETOOMANYREFS
    {"ETOOMANYREFS", ETOOMANYREFS},
#endif
#ifdef ETIMEDOUT
    {"ETIMEDOUT", ETIMEDOUT},
#endif
#ifdef ECONNREFUSED
    {"ECONNREFUSED", ECONNREFUSED},
#endif
#ifdef EHOSTDOWN
    {"EHOSTDOWN", EHOSTDOWN},
#endif
#ifdef EHOSTUNREACH
    {"EHOSTUNREACH", EHOSTUNREACH},
#endif
#ifdef EALREADY
    {"EALREADY", EALREADY},
#endif
#ifdef EINPROGRESS
    {"EINPROGRESS", EINPROGRESS},
#endif
#ifdef ESTALE
    {"ESTALE", ESTALE},
#endif
#ifdef EUCLEAN
    {"EUCLEAN", EUCLEAN},
#endif
#ifdef ENOTNAM
    {"ENOTNAM", ENOTNAM},
#endif
#ifdef ENAVAIL
    {"ENAVAIL", ENAVAIL},
#endif
#ifdef EISNAM
    {"EISNAM", EISNAM},
#endif
#ifdef EREMOTEIO
    {"EREMOTEIO", EREMOTEIO},
#endif
#ifdef EDQUOT
    {"EDQUOT", EDQUOT},
#endif
#ifdef ENOMEDIUM
    {"ENOMEDIUM", ENOMEDIUM},
#endif
#ifdef EMEDIUMTYPE
    {"EMEDIUMTYPE", EMEDIUMTYPE},
#endif
#ifdef ECANCELED
    {"ECANCELED", ECANCELED},
#endif
#ifdef ENOKEY
    {"ENOKEY", ENOKEY},
#endif
#ifdef EKEYEXPIRED
    {"EKEYEXPIRED", EKEYEXPIRED},
#endif
#ifdef EKEYREVOKED
    {"EKEYREVOKED", EKEYREVOKED},
#endif
#ifdef EKEYREJECTED
    {"EKEYREJECTED", EKEYREJECTED},
#endif
#ifdef EOWNERDEAD
    {"EOWNERDEAD", EOWNERDEAD},
#endif
#ifdef ENOTRECOVERABLE
    {"ENOTRECOVERABLE", ENOTRECOVERABLE},
#endif
#ifdef ERFKILL
    {"ERFKILL", ERFKILL},
#endif
#ifdef EHWPOISON
    {"EHWPOISON", EHWPOISON},
#endif
#ifdef EAUTH
    {"EAUTH", EAUTH},
#endif
#ifdef EBADARCH
    {"EBADARCH", EBADARCH},
#endif
#ifdef EBADEXEC
    {"EBADEXEC", EBADEXEC},
#endif
#ifdef EBADMACHO
    {"EBADMACHO", EBADMACHO},
#endif
#ifdef EBADRPC
    {"EBADRPC", EBADRPC},
#endif
#ifdef EDEVERR
    {"EDEVERR", EDEVERR},
#endif
#ifdef EFTYPE
    {"EFTYPE", EFTYPE},
#endif
#ifdef ENEEDAUTH
    {"ENEEDAUTH", ENEEDAUTH},
#endif
#ifdef ENOATTR
    {"ENOATTR", ENOATTR},
#endif
#ifdef ENOPOLICY
    {"ENOPOLICY", ENOPOLICY},
#endif
#ifdef EPROCLIM
    {"EPROCLIM", EPROCLIM},
#endif
#ifdef EPROCUNAVAIL
    {"EPROCUNAVAIL", EPROCUNAVAIL},
#endif
#ifdef EPROGMISMATCH
    {"EPROGMISMATCH", EPROGMISMATCH},
#endif
#ifdef EPROGUNAVAIL
    {"EPROGUNAVAIL", EPROGUNAVAIL},
#endif
#ifdef EPWROFF
    {"EPWROFF", EPWROFF},
#endif
#ifdef ERPCMISMATCH
    {"ERPCMISMATCH", ERPCMISMATCH},
#endif
#ifdef ESHLIBVERS
    {"ESHLIBVERS", ESHLIBVERS},
#endif
#ifdef EQFULL
    {"EQFULL", EQFULL},
#endif
#ifdef ENOTCAPABLE
    {"ENOTCAPABLE", ENOTCAPABLE},
#endif
};

void bsd_init_util(napi_env env, napi_value exports) {
  bsd_export(env, exports, "strerror", js_strerror);
  napi_value obj;
  napi_create_object(env, &obj);
  for (size_t i = 0; i < sizeof errno_table / sizeof errno_table[0]; i++)
    napi_set_named_property(env, obj, errno_table[i].name, bsd_int(env, errno_table[i].value));
  napi_set_named_property(env, exports, "errnos", obj);
}
