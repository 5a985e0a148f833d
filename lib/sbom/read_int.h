/* What the SBOM readers share inside lib/sbom/: the format-neutral record each reader makes of
 * a component (CycloneDX) or package (SPDX), which read.c turns into inventory packages. */
#ifndef DD_SBOM_READ_INT_H
#define DD_SBOM_READ_INT_H

#include "sbom/sbom_int.h"

/* Bounds of one document: its bytes, and the components or packages visited (nested ones and
 * skipped ones included), so a hostile document fails with DD_ELIMIT. */
#define DD_SBOM_READ_MAX_BYTES      (512ull << 20)
#define DD_SBOM_READ_MAX_COMPONENTS (4u << 20)
/* components[].components nesting */
#define DD_SBOM_READ_MAX_DEPTH 64

typedef struct {
    const char *name, *value;
} dd_sbom__prop;

/* One component or package as the document states it. Strings are borrowed from the JSON
 * document or allocated in the reader's arena; NULL when absent. */
typedef struct {
    /* where it is, for messages: the array's path, shared by its elements
     * ("components[3].components", "packages"), and the index in it */
    const char *where_array;
    size_t where_index;
    const char *ref; /* bom-ref or SPDXID */
    const char *purl;
    const char *name, *version;
    const dd_sbom__prop *props; /* CycloneDX properties; SPDX annotations of known tools */
    size_t n_props;
    const char *src_name, *src_version; /* SPDX "built package from: NAME VERSION" */
    const char *license;                /* one expression or text */
    const char **licenses;              /* or several, one each */
    size_t n_licenses;
    const char *supplier, *publisher, *description;
    const char *db_path; /* drydock's SPDX comment */
    int has_layer;
    uint32_t layer;
    int removed;
    int is_source;         /* a source package (cdxgen tags it "source") */
    const char **binaries; /* ... and the binary packages it names as built from it */
    size_t n_binaries;
} dd_sbom__comp;

/* The operating system the document names (CycloneDX operating-system component, SPDX
 * OPERATING_SYSTEM package). */
typedef struct {
    const char *name, *version, *description, *codename;
} dd_sbom__os;

/* The reader's state: the path for messages, the arena for every string it makes, the records. */
typedef struct {
    const char *path;
    dd_arena *arena;
    dd_sbom__comp *comps;
    size_t n_comps, alloc;
    size_t visited; /* components or packages seen, for DD_SBOM_READ_MAX_COMPONENTS */
    size_t no_purl; /* components without a purl (files, the image, applications) */
    dd_sbom__os os;
    int have_os;
} dd_sbom__reader;

/* A parsed JSON document (read_json.c): a read-only tree in an arena. */
typedef enum {
    DD_JV_NULL = 0,
    DD_JV_FALSE,
    DD_JV_TRUE,
    DD_JV_NUMBER,
    DD_JV_STRING,
    DD_JV_ARRAY,
    DD_JV_OBJECT,
} dd_sbom__jtype;

typedef struct dd_sbom__jmember dd_sbom__jmember;

typedef struct dd_sbom__jv {
    dd_sbom__jtype type;
    size_t n; /* string length, array items, object members */
    union {
        const char *s; /* NUL-terminated, never holds a NUL */
        const struct dd_sbom__jv *items;
        const dd_sbom__jmember *members;
    } u;
} dd_sbom__jv;

struct dd_sbom__jmember {
    const char *key;
    dd_sbom__jv value;
};

/* Parses `data` as jansson does with its default flags (an object or array at the top, strict
 * UTF-8, no \u0000, integers within 64 bits) into a tree allocated in `a`. DD_EINVALID
 * "PATH:LINE:COLUMN: TEXT" (jansson's message) when it is not JSON, DD_ENOMEM. */
int dd_sbom__json_parse(const dd_sbom__jv **out, dd_arena *a, const char *path, const char *data,
                        size_t len);
/* Member `key` of object `o` (the last of repeated keys); NULL when `o` is not an object or has
 * no such member. */
const dd_sbom__jv *dd_sbom__get(const dd_sbom__jv *o, const char *key);
/* The text of string `v`, NULL when `v` is not a string. */
const char *dd_sbom__strv(const dd_sbom__jv *v);
/* Items of array `v` (0 when it is not an array), and item `i` (NULL past the end). */
size_t dd_sbom__len(const dd_sbom__jv *v);
const dd_sbom__jv *dd_sbom__at(const dd_sbom__jv *v, size_t i);

#define DD_JV_IS(v, t) ((v) && (v)->type == (t))

/* Appends a record (copied; its strings are not). */
int dd_sbom__add(dd_sbom__reader *r, const dd_sbom__comp *c);

/* Counts one visited component or package; DD_ELIMIT "PATH: more than N ..." past the cap. */
int dd_sbom__visit(dd_sbom__reader *r);

/* printf into the reader's arena; NULL (with the error set) on ENOMEM. */
char *dd_sbom__strf(dd_sbom__reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The string member `key` of `o`, NULL when absent or not a string. */
const char *dd_sbom__str(const dd_sbom__jv *o, const char *key);

/* The records of a CycloneDX or SPDX 2.x document (the format is already known). */
int dd_sbom__read_cyclonedx(dd_sbom__reader *r, const dd_sbom__jv *doc);
int dd_sbom__read_spdx(dd_sbom__reader *r, const dd_sbom__jv *doc);

#endif
