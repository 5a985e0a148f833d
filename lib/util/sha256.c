/* SHA-256 digests in the "sha256:<hex>" form that image manifests use. */
#include "util/util.h"

/* OpenSSL's SHA256_* calls run the same assembly as EVP's, without the provider machinery:
 * the first EVP digest of a process loads the configuration and the default provider's
 * tables, about 2 MB of memory that every command would pay for one hash. They are deprecated
 * in OpenSSL 3 and still part of its API. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <string.h>

struct dd_sha256 {
    SHA256_CTX ctx;
};

int dd_sha256_new(dd_sha256 **out)
{
    dd_sha256 *h = dd_calloc(1, sizeof(*h));

    if (!h)
        return dd_error_set(DD_ENOMEM, "out of memory");
    SHA256_Init(&h->ctx);
    *out = h;
    return DD_OK;
}

void dd_sha256_update(dd_sha256 *h, const void *data, size_t len)
{
    SHA256_Update(&h->ctx, data, len);
}

void dd_sha256_final_digest(dd_sha256 *h, char out[72])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[SHA256_DIGEST_LENGTH];

    SHA256_Final(md, &h->ctx);
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

    SHA256_Init(&h.ctx);
    SHA256_Update(&h.ctx, data, len);
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
