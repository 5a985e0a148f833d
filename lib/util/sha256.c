/* SHA-256 digests in the "sha256:<hex>" form that image manifests use. */
#include "util/util.h"

/* Nettle's SHA-256 (the SHA extensions where the CPU has them, as fast as OpenSSL's): Nettle is
 * already in every drydock through libarchive, where libcrypto would cost every command 1.6 MB
 * of RSS and most of a millisecond to load for a few hashes. */
#include <nettle/sha2.h>
#include <string.h>

struct dd_sha256 {
    struct sha256_ctx ctx;
};

int dd_sha256_new(dd_sha256 **out)
{
    dd_sha256 *h = dd_calloc(1, sizeof(*h));

    if (!h)
        return dd_error_set(DD_ENOMEM, "out of memory");
    sha256_init(&h->ctx);
    *out = h;
    return DD_OK;
}

void dd_sha256_update(dd_sha256 *h, const void *data, size_t len)
{
    sha256_update(&h->ctx, len, data);
}

void dd_sha256_final_digest(dd_sha256 *h, char out[72])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[SHA256_DIGEST_SIZE];

    sha256_digest(&h->ctx, sizeof(md), md);
    memcpy(out, "sha256:", 7);
    for (unsigned i = 0; i < 32; i++) {
        out[7 + 2 * i] = hex[md[i] >> 4];
        out[8 + 2 * i] = hex[md[i] & 15];
    }
    out[71] = '\0';
}

void dd_sha256_free(dd_sha256 *h)
{
    if (!h)
        return;
    dd_free(h);
}

int dd_sha256_digest(char out[72], const void *data, size_t len)
{
    dd_sha256 h;

    sha256_init(&h.ctx);
    sha256_update(&h.ctx, len, data);
    dd_sha256_final_digest(&h, out);
    return DD_OK;
}

bool dd_digest_valid(const char *digest)
{
    if (!digest || strncmp(digest, "sha256:", 7) != 0)
        return false;
    for (int i = 0; i < 64; i++) {
        char c = digest[7 + i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return digest[71] == '\0';
}
