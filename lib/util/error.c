/* The thread-local error message every library call leaves behind on failure. */
#include "util/util.h"

#include <stdio.h>
#include <string.h>

static _Thread_local int err_code;
static _Thread_local char err_msg[512];

const char *dd_error_message(void)
{
    return err_msg;
}

int dd_error_code(void)
{
    return err_code;
}

void dd_error_clear(void)
{
    err_code = DD_OK;
    err_msg[0] = '\0';
}

int dd_error_set(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
    va_end(ap);
    err_code = code;
    return code;
}

int dd_error_prefix(const char *fmt, ...)
{
    char prefix[256], old[sizeof(err_msg)];
    size_t plen, olen;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err_msg, sizeof(old));
    plen = strlen(prefix);
    olen = strlen(old);
    /* prefix (< 256) + ": " fits; the old message is cut to what remains */
    memcpy(err_msg, prefix, plen);
    memcpy(err_msg + plen, ": ", 2);
    if (olen > sizeof(err_msg) - plen - 3)
        olen = sizeof(err_msg) - plen - 3;
    memcpy(err_msg + plen + 2, old, olen);
    err_msg[plen + 2 + olen] = '\0';
    return err_code;
}

const char *dd_error_name(int code)
{
    switch (code) {
    case DD_OK:
        return "ok";
    case DD_ENOMEM:
        return "out of memory";
    case DD_EIO:
        return "I/O error";
    case DD_EINVALID:
        return "invalid input";
    case DD_ENOTFOUND:
        return "not found";
    case DD_EUNSUPPORTED:
        return "unsupported";
    case DD_ELIMIT:
        return "limit exceeded";
    case DD_EPERM:
        return "not allowed";
    default:
        return "error";
    }
}

void dd_error_save(dd_error_state *out)
{
    out->code = err_code;
    memcpy(out->message, err_msg, sizeof(out->message));
}

int dd_error_restore(const dd_error_state *st)
{
    err_code = st->code;
    memcpy(err_msg, st->message, sizeof(err_msg));
    return err_code;
}

void dd_limits_default(dd_limits *out)
{
    dd_limits d = DD_LIMITS_INIT;
    *out = d;
}

const char *dd_version(void)
{
    return DD_VERSION_STRING;
}
