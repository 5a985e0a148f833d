/* Random bytes from the kernel's CSPRNG, for API keys and upload tokens. */
#include "util/util.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

int dd_random_bytes(void *buf, size_t n)
{
    for (size_t got = 0; got < n;) {
        ssize_t r = getrandom((unsigned char *)buf + got, n - got, 0);

        if (r < 0 && errno != EINTR)
            return dd_error_set(DD_ERROR, "no randomness (getrandom: %s)", strerror(errno));
        if (r > 0)
            got += (size_t)r;
    }
    return DD_OK;
}
