/*
 * hash-private.h - non-cryptographic hashing for keys and string pools.
 */
#ifndef CU_HASH_PRIVATE_H
#define CU_HASH_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

/* 64-bit hash of n bytes with a seed. */
uint64_t cu__hash64(const void *p, size_t n, uint64_t seed);

/* 128-bit hash of n bytes: two independent 64-bit lanes. */
void cu__hash128(const void *p, size_t n, uint64_t out[2]);

/* A fast checksum of a large buffer (the index file), not for keys. */
uint64_t cu__checksum(const void *p, size_t n);

#endif
