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

/* Appends a record (copied; its strings are not). */
int dd_sbom__add(dd_sbom__reader *r, const dd_sbom__comp *c);

/* Counts one visited component or package; DD_ELIMIT "PATH: more than N ..." past the cap. */
int dd_sbom__visit(dd_sbom__reader *r);

/* printf into the reader's arena; NULL (with the error set) on ENOMEM. */
char *dd_sbom__strf(dd_sbom__reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The records of a CycloneDX or SPDX 2.x document (the format is already known). */
int dd_sbom__read_cyclonedx(dd_sbom__reader *r, const dd_jv *doc);
int dd_sbom__read_spdx(dd_sbom__reader *r, const dd_jv *doc);

#endif
