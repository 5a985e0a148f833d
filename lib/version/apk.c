/* Alpine version order, as apk-tools 3's tokenizer (src/version.c) defines it. */
#include "util/util.h"
#include "version/version_int.h"

#include <stdint.h>
#include <string.h>

/* Token kinds in the order apk allows them to follow each other. */
enum {
    TOK_INITIAL_DIGIT,
    TOK_DIGIT,
    TOK_LETTER,
    TOK_SUFFIX,
    TOK_SUFFIX_NO,
    TOK_COMMIT_HASH,
    TOK_REVISION_NO,
    TOK_END,
    TOK_INVALID,
};

/* Suffix ranks: pre-release suffixes sort below SUF_NONE, post-release ones above. */
enum {
    SUF_INVALID,
    SUF_ALPHA,
    SUF_BETA,
    SUF_PRE,
    SUF_RC,
    SUF_NONE,
    SUF_CVS,
    SUF_SVN,
    SUF_GIT,
    SUF_HG,
    SUF_P
};

typedef struct {
    int token;
    int suffix;
    uint64_t number;
    const char *value;
    size_t value_len;
} apk_token;

typedef struct {
    const char *p;
    size_t len;
} apk_blob;

/* apk_blob_spn: bytes >= 128 are outside apk's ctype table and count as members. */
static int apk_is_suffix_char(unsigned char c)
{
    return c >= 128 || (c >= 'a' && c <= 'z');
}

static int apk_is_hex_char(unsigned char c)
{
    return c >= 128 || dd_version__isdigit(c) || (c >= 'a' && c <= 'f');
}

static int apk_suffix_value(const char *s, size_t n)
{
    static const struct {
        const char *name;
        int value;
    } table[] = {{"alpha", SUF_ALPHA}, {"beta", SUF_BETA}, {"pre", SUF_PRE},
                 {"rc", SUF_RC},       {"cvs", SUF_CVS},   {"svn", SUF_SVN},
                 {"git", SUF_GIT},     {"hg", SUF_HG},     {"p", SUF_P}};
    for (size_t i = 0; i < DD_ARRAY_SIZE(table); i++)
        if (strlen(table[i].name) == n && memcmp(table[i].name, s, n) == 0)
            return table[i].value;
    return SUF_INVALID;
}

/* apk_blob_pull_uint: decimal digits, wrapping modulo 2^64 as apk's uint64_t does. */
static void apk_parse_digits(apk_token *t, apk_blob *b)
{
    const char *start = b->p;
    uint64_t v = 0;
    while (b->len && dd_version__isdigit((unsigned char)*b->p)) {
        v = v * 10 + (uint64_t)(*b->p - '0');
        b->p++;
        b->len--;
    }
    t->number = v;
    t->value = start;
    t->value_len = (size_t)(b->p - start);
    if (t->value_len == 0)
        t->token = TOK_INVALID;
}

static void apk_token_first(apk_token *t, apk_blob *b)
{
    t->token = TOK_INITIAL_DIGIT;
    apk_parse_digits(t, b);
}

static void apk_token_next(apk_token *t, apk_blob *b)
{
    unsigned char c;
    size_t i;

    if (b->len == 0) {
        t->token = TOK_END;
        return;
    }
    c = (unsigned char)b->p[0];
    if (c >= 'a' && c <= 'z') {
        if (t->token > TOK_DIGIT)
            goto invalid;
        t->value = b->p;
        t->value_len = 1;
        t->token = TOK_LETTER;
        b->p++;
        b->len--;
        return;
    }
    if (c == '.' || dd_version__isdigit(c)) {
        if (c == '.') {
            if (t->token > TOK_DIGIT)
                goto invalid;
            b->p++;
            b->len--;
        }
        if (t->token == TOK_INITIAL_DIGIT || t->token == TOK_DIGIT)
            t->token = TOK_DIGIT;
        else if (t->token == TOK_SUFFIX)
            t->token = TOK_SUFFIX_NO;
        else
            goto invalid;
        apk_parse_digits(t, b);
        return;
    }
    switch (c) {
    case '_':
        if (t->token > TOK_SUFFIX_NO)
            goto invalid;
        b->p++;
        b->len--;
        for (i = 0; i < b->len && apk_is_suffix_char((unsigned char)b->p[i]); i++)
            ;
        t->value = b->p;
        t->value_len = i;
        b->p += i;
        b->len -= i;
        t->suffix = apk_suffix_value(t->value, t->value_len);
        if (t->suffix == SUF_INVALID)
            goto invalid;
        t->token = TOK_SUFFIX;
        return;
    case '~':
        if (t->token >= TOK_COMMIT_HASH)
            goto invalid;
        b->p++;
        b->len--;
        for (i = 0; i < b->len && apk_is_hex_char((unsigned char)b->p[i]); i++)
            ;
        t->value = b->p;
        t->value_len = i;
        b->p += i;
        b->len -= i;
        if (i == 0)
            goto invalid;
        t->token = TOK_COMMIT_HASH;
        return;
    case '-':
        if (t->token >= TOK_REVISION_NO)
            goto invalid;
        if (b->len < 2 || b->p[1] != 'r')
            goto invalid;
        b->p += 2;
        b->len -= 2;
        t->token = TOK_REVISION_NO;
        apk_parse_digits(t, b);
        return;
    default:
        break;
    }
invalid:
    t->token = TOK_INVALID;
}

static int apk_token_cmp(const apk_token *ta, const apk_token *tb)
{
    uint64_t a, b;

    switch (ta->token) {
    case TOK_DIGIT:
        /* A leading zero makes apk compare the digits as a string (Gentoo rule). */
        if (ta->value[0] == '0' || tb->value[0] == '0')
            return dd_version__span_cmp(ta->value, ta->value_len, tb->value, tb->value_len);
        /* fall through */
    case TOK_INITIAL_DIGIT:
    case TOK_SUFFIX_NO:
    case TOK_REVISION_NO:
        a = ta->number;
        b = tb->number;
        break;
    case TOK_LETTER:
        a = (unsigned char)ta->value[0];
        b = (unsigned char)tb->value[0];
        break;
    case TOK_SUFFIX:
        a = (uint64_t)ta->suffix;
        b = (uint64_t)tb->suffix;
        break;
    default:
        return dd_version__span_cmp(ta->value, ta->value_len, tb->value, tb->value_len);
    }
    return (a > b) - (a < b);
}

const char *dd_version__check_apk(const char *s, size_t n)
{
    apk_blob b = {s, n};
    apk_token t;

    for (apk_token_first(&t, &b); t.token < TOK_END; apk_token_next(&t, &b))
        ;
    return t.token == TOK_END ? NULL : "not an apk version";
}

int dd_version__order_apk(const char *a, size_t an, const char *b, size_t bn)
{
    apk_blob ba = {a, an}, bb = {b, bn};
    apk_token ta, tb;

    memset(&ta, 0, sizeof(ta));
    memset(&tb, 0, sizeof(tb));
    for (apk_token_first(&ta, &ba), apk_token_first(&tb, &bb);
         ta.token == tb.token && ta.token < TOK_END;
         apk_token_next(&ta, &ba), apk_token_next(&tb, &bb)) {
        int r = apk_token_cmp(&ta, &tb);
        if (r)
            return r;
    }
    if (ta.token == tb.token)
        return 0;
    /* Equal so far: the longer version is newer unless it goes on with a pre-release suffix. */
    if (ta.token == TOK_SUFFIX && ta.suffix < SUF_NONE)
        return -1;
    if (tb.token == TOK_SUFFIX && tb.suffix < SUF_NONE)
        return 1;
    if (ta.token > tb.token)
        return -1;
    if (tb.token > ta.token)
        return 1;
    return 0;
}
