#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

/// A PEM passphrase callback that supplies none, so that reading an encrypted key
/// fails at once instead of OpenSSL prompting on the terminal.
static inline int ccrypto_no_passphrase(char *buffer, int size, int writing, void *context) {
    (void)buffer;
    (void)size;
    (void)writing;
    (void)context;
    return -1;
}

// The low-level SHA-256 calls are deprecated in OpenSSL 3.0 but kept, and they are
// what short inputs want: `EVP_DigestInit_ex2` makes and frees a provider context on
// every digest, even with a reused context, which costs more than hashing 64 bytes.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"

/// Begins a SHA-256 digest in `context` through the low-level interface.
static inline void ccrypto_sha256_init(SHA256_CTX *context) {
    SHA256_Init(context);
}

/// Adds `count` bytes at `bytes` to the digest begun in `context`.
static inline void ccrypto_sha256_update(SHA256_CTX *context, const void *bytes, size_t count) {
    SHA256_Update(context, bytes, count);
}

/// Ends the digest in `context`, writing its 32 bytes to `digest`.
static inline void ccrypto_sha256_final(SHA256_CTX *context, unsigned char *digest) {
    SHA256_Final(digest, context);
}

#pragma clang diagnostic pop
