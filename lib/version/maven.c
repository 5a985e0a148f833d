/* Maven version order, as maven-artifact's ComparableVersion (3.8) parses and compares. */
#include "version/version_int.h"

#include <stdint.h>
#include <string.h>

/* ComparableVersion builds a tree of lists, but every new list is appended as the last item of
 * the current one, so the tree is a chain of levels. It is kept flat: scalar items, each LIST
 * item starting the next level. */
enum { MV_INT, MV_STR, MV_LIST };

/* Qualifier ranks; unknown qualifiers rank MV_Q_OTHER and compare by their text. */
enum {
    MV_Q_ALPHA,
    MV_Q_BETA,
    MV_Q_MILESTONE,
    MV_Q_RC,
    MV_Q_SNAPSHOT,
    MV_Q_RELEASE,
    MV_Q_SP,
    MV_Q_OTHER
};

typedef struct {
    uint16_t off, len; /* digits without leading zeros (INT) or the qualifier text (STR) */
    uint8_t kind;
    uint8_t cat;  /* INT: 0 int, 1 long, 2 BigInteger, by digit count, as Maven picks them */
    uint8_t rank; /* STR: qualifier rank */
    uint8_t dead;
} mv_item;

#define MV_MAX_ITEMS (3 * DD_VERSION_MAX_LEN + 4)

typedef struct {
    const char *s;
    size_t n;
    mv_item items[MV_MAX_ITEMS];
    size_t count;
    size_t level_items; /* items in the current level so far */
} mv_version;

static int mv_word(const char *p, size_t n, const char *w)
{
    if (strlen(w) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (dd_version__lower((unsigned char)p[i]) != w[i])
            return 0;
    return 1;
}

static void mv_add(mv_version *v, uint8_t kind, size_t off, size_t len, uint8_t cat, uint8_t rank)
{
    mv_item *it = &v->items[v->count++];
    it->off = (uint16_t)off;
    it->len = (uint16_t)len;
    it->kind = kind;
    it->cat = cat;
    it->rank = rank;
    it->dead = 0;
    v->level_items = kind == MV_LIST ? 0 : v->level_items + 1;
}

static void mv_add_list(mv_version *v)
{
    mv_add(v, MV_LIST, 0, 0, 0, 0);
}

static void mv_add_int(mv_version *v, size_t off, size_t len)
{
    size_t z = 0;
    /* stripLeadingZeroes keeps an all-zero run whole, so its length still picks the type. */
    while (z < len && v->s[off + z] == '0')
        z++;
    if (z == len)
        z = 0;
    len -= z;
    off += z;
    mv_add(v, MV_INT, off, len, len <= 9 ? 0 : len <= 18 ? 1 : 2, 0);
}

static void mv_add_str(mv_version *v, size_t off, size_t len, int followed_by_digit)
{
    const char *p = v->s + off;
    uint8_t rank = MV_Q_OTHER;

    if (followed_by_digit && len == 1) {
        switch (dd_version__lower((unsigned char)*p)) {
        case 'a':
            rank = MV_Q_ALPHA;
            break;
        case 'b':
            rank = MV_Q_BETA;
            break;
        case 'm':
            rank = MV_Q_MILESTONE;
            break;
        default:
            break;
        }
    }
    if (rank == MV_Q_OTHER) {
        if (mv_word(p, len, "alpha"))
            rank = MV_Q_ALPHA;
        else if (mv_word(p, len, "beta"))
            rank = MV_Q_BETA;
        else if (mv_word(p, len, "milestone"))
            rank = MV_Q_MILESTONE;
        else if (mv_word(p, len, "rc") || mv_word(p, len, "cr"))
            rank = MV_Q_RC;
        else if (mv_word(p, len, "snapshot"))
            rank = MV_Q_SNAPSHOT;
        else if (len == 0 || mv_word(p, len, "ga") || mv_word(p, len, "final") ||
                 mv_word(p, len, "release"))
            rank = MV_Q_RELEASE;
        else if (mv_word(p, len, "sp"))
            rank = MV_Q_SP;
    }
    mv_add(v, MV_STR, off, len, 0, rank);
}

static void mv_add_item(mv_version *v, int is_digit, size_t off, size_t len)
{
    if (is_digit)
        mv_add_int(v, off, len);
    else
        mv_add_str(v, off, len, 0);
}

static int mv_is_null(const mv_version *v, const mv_item *it)
{
    if (it->kind == MV_INT) {
        for (size_t k = 0; k < it->len; k++)
            if (v->s[it->off + k] != '0')
                return 0;
        return 1;
    }
    if (it->kind == MV_STR)
        return it->rank == MV_Q_RELEASE;
    return 0; /* lists: decided by the normaliser */
}

/* ListItem.normalize(), innermost list first: drop trailing null items; an emptied list is
 * itself null and goes from its parent. */
static void mv_normalize(mv_version *v)
{
    size_t level_start[MV_MAX_ITEMS];
    size_t levels = 0, i, j, end;
    int sub_alive = 0;

    level_start[levels++] = 0;
    for (i = 0; i < v->count; i++)
        if (v->items[i].kind == MV_LIST)
            level_start[levels++] = i + 1;
    end = v->count;
    for (size_t l = levels; l-- > 0;) {
        size_t alive = 0, scal_end = end;
        if (l + 1 < levels) {
            scal_end = level_start[l + 1] - 1; /* the LIST item */
            if (!sub_alive)
                v->items[scal_end].dead = 1;
        }
        for (j = scal_end; j > level_start[l]; j--) {
            if (mv_is_null(v, &v->items[j - 1]))
                v->items[j - 1].dead = 1;
            else
                break;
        }
        for (j = level_start[l]; j < scal_end; j++)
            alive += !v->items[j].dead;
        sub_alive = alive > 0 || (l + 1 < levels && !v->items[scal_end].dead);
        end = level_start[l] ? level_start[l] - 1 : 0;
    }
    for (i = j = 0; i < v->count; i++)
        if (!v->items[i].dead)
            v->items[j++] = v->items[i];
    v->count = j;
}

static void mv_parse(mv_version *v, const char *s, size_t n)
{
    int is_digit = 0;
    size_t start = 0;

    v->s = s;
    v->n = n;
    v->count = 0;
    v->level_items = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.' || c == '-') {
            if (i == start)
                mv_add_int(v, i, 0); /* IntItem.ZERO */
            else
                mv_add_item(v, is_digit, start, i - start);
            start = i + 1;
            if (c == '-')
                mv_add_list(v);
        } else if (dd_version__isdigit(c)) {
            if (!is_digit && i > start) {
                /* 1.0.0.X1 < 1.0.0-X2: a qualifier followed by a digit opens a list. */
                if (v->level_items > 0)
                    mv_add_list(v);
                mv_add_str(v, start, i - start, 1);
                start = i;
                mv_add_list(v);
            }
            is_digit = 1;
        } else {
            if (is_digit && i > start) {
                mv_add_int(v, start, i - start);
                start = i;
                mv_add_list(v);
            }
            is_digit = 0;
        }
    }
    if (n > start) {
        /* Likewise a trailing qualifier: 1.0.x is 1.0-x. */
        if (!is_digit && v->level_items > 0)
            mv_add_list(v);
        mv_add_item(v, is_digit, start, n - start);
    }
    mv_normalize(v);
}

/* An empty digit span is IntItem.ZERO. */
static int mv_int_cmp(const mv_version *va, const mv_item *a, const mv_version *vb,
                      const mv_item *b)
{
    if (a->cat != b->cat)
        return a->cat < b->cat ? -1 : 1;
    return dd_version__digits_cmp(a->len ? va->s + a->off : "0", a->len ? a->len : 1,
                                  b->len ? vb->s + b->off : "0", b->len ? b->len : 1);
}

static int mv_str_cmp(const mv_version *va, const mv_item *a, const mv_version *vb,
                      const mv_item *b)
{
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->rank != MV_Q_OTHER)
        return 0;
    for (size_t i = 0; i < a->len && i < b->len; i++) {
        int d = dd_version__lower((unsigned char)va->s[a->off + i]) -
                dd_version__lower((unsigned char)vb->s[b->off + i]);
        if (d)
            return d < 0 ? -1 : 1;
    }
    return dd_version__sign((long)a->len - (long)b->len);
}

/* A scalar item against a missing one (Item.compareTo(null)). */
static int mv_scalar_vs_null(const mv_version *v, const mv_item *it)
{
    if (it->kind == MV_INT)
        return mv_is_null(v, it) ? 0 : 1;
    return it->rank < MV_Q_RELEASE ? -1 : it->rank > MV_Q_RELEASE;
}

/* A list (from item index i to the end) against a missing one: every item in turn. */
static int mv_list_vs_null(const mv_version *v, size_t i)
{
    for (; i < v->count; i++) {
        int r;
        if (v->items[i].kind == MV_LIST)
            continue; /* the nested list: its items follow */
        r = mv_scalar_vs_null(v, &v->items[i]);
        if (r)
            return r;
    }
    return 0;
}

static int mv_cmp(const mv_version *x, const mv_version *y)
{
    size_t i = 0, j = 0;

    for (;;) {
        const mv_item *l = i < x->count ? &x->items[i] : NULL;
        const mv_item *r = j < y->count ? &y->items[j] : NULL;
        int res;

        if (!l && !r)
            return 0;
        if (!l) {
            if (r->kind == MV_LIST)
                return -mv_list_vs_null(y, j + 1);
            if ((res = mv_scalar_vs_null(y, r)))
                return -res;
            j++;
            continue;
        }
        if (!r) {
            if (l->kind == MV_LIST)
                return mv_list_vs_null(x, i + 1);
            if ((res = mv_scalar_vs_null(x, l)))
                return res;
            i++;
            continue;
        }
        if (l->kind == MV_LIST && r->kind == MV_LIST) {
            i++; /* both descend: the lists are the last items of their levels */
            j++;
            continue;
        }
        switch (l->kind) {
        case MV_INT:
            res = r->kind == MV_INT ? mv_int_cmp(x, l, y, r) : 1;
            break;
        case MV_STR:
            res = r->kind == MV_STR ? mv_str_cmp(x, l, y, r) : -1;
            break;
        default: /* a list against a scalar: below a number, above a qualifier */
            res = r->kind == MV_INT ? -1 : 1;
            break;
        }
        if (res)
            return res;
        i++;
        j++;
    }
}

const char *dd_version__check_maven(const char *s, size_t n)
{
    /* ComparableVersion accepts every string. */
    (void)s;
    (void)n;
    return NULL;
}

int dd_version__order_maven(const char *a, size_t an, const char *b, size_t bn)
{
    mv_version x, y;

    mv_parse(&x, a, an);
    mv_parse(&y, b, bn);
    return mv_cmp(&x, &y);
}
