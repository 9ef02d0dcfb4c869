#ifndef IDV_COPENSSL_SHIM_H
#define IDV_COPENSSL_SHIM_H
// The system libcrypto (OpenSSL 3): only what RSA signing and verification need.
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#endif
