/* SHA-256 digests in the "sha256:<hex>" form that image manifests use. */
#include "util/util.h"

#include <openssl/evp.h>
#include <string.h>

struct dd_sha256 {
    EVP_MD_CTX *ctx;
};

int dd_sha256_new(dd_sha256 **out)
{
    dd_sha256 *h = dd_calloc(1, sizeof(*h));

    if (!h || !(h->ctx = EVP_MD_CTX_new())) {
        dd_free(h);
        return dd_error_set(DD_ENOMEM, "out of memory");
    }
    if (EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(h->ctx);
        dd_free(h);
        return dd_error_set(DD_ERROR, "cannot initialise SHA-256");
    }
    *out = h;
    return DD_OK;
}

void dd_sha256_update(dd_sha256 *h, const void *data, size_t len)
{
    EVP_DigestUpdate(h->ctx, data, len);
}

void dd_sha256_final_digest(dd_sha256 *h, char out[72])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[32];
    unsigned int n = 0;

    EVP_DigestFinal_ex(h->ctx, md, &n);
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
    EVP_MD_CTX_free(h->ctx);
    dd_free(h);
}

int dd_sha256_digest(char out[72], const void *data, size_t len)
{
    dd_sha256 *h;
    int rc = dd_sha256_new(&h);

    if (rc != DD_OK)
        return rc;
    dd_sha256_update(h, data, len);
    dd_sha256_final_digest(h, out);
    dd_sha256_free(h);
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
