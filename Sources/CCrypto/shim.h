#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/pem.h>

/// A PEM passphrase callback that supplies none, so that reading an encrypted key
/// fails at once instead of OpenSSL prompting on the terminal.
static inline int ccrypto_no_passphrase(char *buffer, int size, int writing, void *context) {
    (void)buffer;
    (void)size;
    (void)writing;
    (void)context;
    return -1;
}
