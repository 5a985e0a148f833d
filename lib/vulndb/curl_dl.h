/* libcurl, loaded when the first download starts rather than when drydock starts: linked
 * directly, libcurl and the libraries it pulls in (HTTP/2, SSH, LDAP, Kerberos, IDN, PSL,
 * brotli) cost every command about 5 MB of RSS and 4.5 ms before main, although only
 * `drydock db update` uses the network. update.c calls the usual curl_* names; this header
 * maps them onto the functions dd_curl__load() resolves from libcurl.so.4. */
#ifndef DD_CURL_DL_H
#define DD_CURL_DL_H

#define CURL_DISABLE_TYPECHECK /* the type-checking macros would hide the calls below */
#include <curl/curl.h>

typedef struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *c);
    CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
    void (*easy_reset)(CURL *c);
    void (*easy_cleanup)(CURL *c);
    const char *(*easy_strerror)(CURLcode code);
    char *(*easy_escape)(CURL *c, const char *s, int len);
    void (*free)(void *p);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
} dd_curl_api;

extern dd_curl_api dd_curl__fn;

/* Loads libcurl once per process. DD_EUNSUPPORTED with dlopen's reason when it is missing
 * (Debian: the libcurl4 package). Thread-safe. */
int dd_curl__load(void);

#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init    dd_curl__fn.global_init
#define curl_easy_init      dd_curl__fn.easy_init
#define curl_easy_setopt    dd_curl__fn.easy_setopt
#define curl_easy_perform   dd_curl__fn.easy_perform
#define curl_easy_getinfo   dd_curl__fn.easy_getinfo
#define curl_easy_reset     dd_curl__fn.easy_reset
#define curl_easy_cleanup   dd_curl__fn.easy_cleanup
#define curl_easy_strerror  dd_curl__fn.easy_strerror
#define curl_easy_escape    dd_curl__fn.easy_escape
#define curl_free           dd_curl__fn.free
#define curl_slist_append   dd_curl__fn.slist_append
#define curl_slist_free_all dd_curl__fn.slist_free_all

#endif
