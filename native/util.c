/* Argument and result helpers shared by every binding. */
#include "bsd.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static napi_value make_error(napi_env env, int range, const char *code,
                             const char *fmt, va_list ap) {
  char msg[256];
  vsnprintf(msg, sizeof msg, fmt, ap);
  if (range)
    napi_throw_range_error(env, code, msg);
  else
    napi_throw_type_error(env, code, msg);
  return NULL;
}

napi_value bsd_throw_type(napi_env env, const char *code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  make_error(env, 0, code, fmt, ap);
  va_end(ap);
  return NULL;
}

napi_value bsd_throw_range(napi_env env, const char *code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  make_error(env, 1, code, fmt, ap);
  va_end(ap);
  return NULL;
}

int bsd_arg_int32(napi_env env, napi_value v, const char *name, int32_t *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    bsd_throw_type(env, "ERR_INVALID_ARG_TYPE", "The \"%s\" argument must be of type number", name);
    return BSD_THROWN;
  }
  return 0;
}

int bsd_arg_int64(napi_env env, napi_value v, const char *name, int64_t *out) {
  if (napi_get_value_int64(env, v, out) != napi_ok) {
    bsd_throw_type(env, "ERR_INVALID_ARG_TYPE", "The \"%s\" argument must be of type number", name);
    return BSD_THROWN;
  }
  return 0;
}

int bsd_arg_uint32(napi_env env, napi_value v, const char *name, uint32_t *out) {
  if (napi_get_value_uint32(env, v, out) != napi_ok) {
    bsd_throw_type(env, "ERR_INVALID_ARG_TYPE", "The \"%s\" argument must be of type number", name);
    return BSD_THROWN;
  }
  return 0;
}

int bsd_arg_bytes(napi_env env, napi_value v, const char *name, void **data, size_t *len) {
  bool is;
  if (napi_is_buffer(env, v, &is) == napi_ok && is) {
    /* Node's buffer check accepts every ArrayBufferView. */
    if (napi_get_buffer_info(env, v, data, len) == napi_ok) return 0;
  }
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t length, offset;
    napi_value ab;
    if (napi_get_typedarray_info(env, v, &type, &length, data, &ab, &offset) == napi_ok) {
      size_t width = 1;
      switch (type) {
        case napi_int16_array: case napi_uint16_array: width = 2; break;
        case napi_int32_array: case napi_uint32_array: case napi_float32_array: width = 4; break;
        case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: width = 8; break;
        default: break;
      }
      *len = length * width;
      return 0;
    }
  }
  if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    napi_value ab;
    size_t offset;
    if (napi_get_dataview_info(env, v, len, data, &ab, &offset) == napi_ok) return 0;
  }
  if (napi_is_arraybuffer(env, v, &is) == napi_ok && is) {
    if (napi_get_arraybuffer_info(env, v, data, len) == napi_ok) return 0;
  }
  bsd_throw_type(env, "ERR_INVALID_ARG_TYPE",
                 "The \"%s\" argument must be a bytes-like object (Buffer, TypedArray, DataView or ArrayBuffer)", name);
  return BSD_THROWN;
}

int bsd_arg_span(napi_env env, napi_value *argv, const char *name, char **data, size_t *len) {
  void *base;
  size_t total;
  int64_t offset, length;
  if (bsd_arg_bytes(env, argv[0], name, &base, &total)) return BSD_THROWN;
  if (bsd_arg_int64(env, argv[1], "offset", &offset)) return BSD_THROWN;
  if (bsd_arg_int64(env, argv[2], "length", &length)) return BSD_THROWN;
  if (offset < 0 || length < 0 || (uint64_t)offset > total || (uint64_t)length > total - (uint64_t)offset) {
    bsd_throw_range(env, "ERR_OUT_OF_RANGE", "The range of \"%s\" is outside the buffer", name);
    return BSD_THROWN;
  }
  *data = (char *)base + offset;
  *len = (size_t)length;
  return 0;
}

int bsd_arg_string(napi_env env, napi_value v, const char *name, char *buf, size_t bufsize, size_t *len) {
  if (napi_get_value_string_utf8(env, v, buf, bufsize, len) != napi_ok) {
    bsd_throw_type(env, "ERR_INVALID_ARG_TYPE", "The \"%s\" argument must be of type string", name);
    return BSD_THROWN;
  }
  return 0;
}

napi_value bsd_int(napi_env env, int64_t n) {
  napi_value v;
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

static napi_value js_strerror(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t err;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || bsd_arg_int32(env, argv[0], "errno", &err)) {
    if (argc < 1) bsd_throw_type(env, "ERR_INVALID_ARG_TYPE", "The \"errno\" argument must be of type number");
    return NULL;
  }
  napi_value s;
  const char *msg = strerror(err);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &s);
  return s;
}

void bsd_init_util(napi_env env, napi_value exports) {
  bsd_export(env, exports, "strerror", js_strerror);
}
