/*
 * hash.c - a small multiply-xorshift hash. Keys are short (ids of ~30
 * bytes), so simplicity beats throughput; two seeds give the 128-bit form
 * used for deduplication keys, where a collision would merge two requests.
 */
#include "hash-private.h"

#include <string.h>

static inline uint64_t mix(uint64_t x)
{
	/* The finaliser of SplitMix64. */
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

/*
 * Hash n bytes in k lanes at once (k is 1 or 2), lane i starting from the
 * seed in h[i]: one pass over the bytes, and the lanes' multiplies overlap.
 */
static inline void hash_lanes(const unsigned char *s, size_t n, uint64_t *h, unsigned k)
{
	uint64_t len = UINT64_C(0x9e3779b97f4a7c15) * (n + 1);
	for (unsigned i = 0; i < k; i++)
		h[i] ^= len;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		for (unsigned i = 0; i < k; i++)
			h[i] = mix(h[i] ^ w) + UINT64_C(0x632be59bd9b4e019);
		s += 8;
		n -= 8;
	}
	uint64_t w = (uint64_t)n << 56;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)s[i] << (8 * i);
	for (unsigned i = 0; i < k; i++)
		h[i] = mix(h[i] ^ w);
}

uint64_t cu__hash64(const void *p, size_t n, uint64_t seed)
{
	uint64_t h = seed;
	hash_lanes(p, n, &h, 1);
	return h;
}

void cu__hash128(const void *p, size_t n, uint64_t out[2])
{
	out[0] = UINT64_C(0x243f6a8885a308d3);
	out[1] = UINT64_C(0x13198a2e03707344);
	hash_lanes(p, n, out, 2);
}

uint64_t cu__checksum(const void *p, size_t n)
{
	/* Four independent lanes, so that the multiplies overlap. */
	const unsigned char *s = p;
	uint64_t h[4] = { UINT64_C(0x243f6a8885a308d3), UINT64_C(0x13198a2e03707344),
		          UINT64_C(0xa4093822299f31d0), UINT64_C(0x082efa98ec4e6c89) };
	while (n >= 32) {
		for (int i = 0; i < 4; i++) {
			uint64_t w;
			memcpy(&w, s + 8 * i, 8);
			h[i] = (h[i] ^ w) * UINT64_C(0x9e3779b97f4a7c15);
			h[i] ^= h[i] >> 29;
		}
		s += 32;
		n -= 32;
	}
	uint64_t x = cu__hash64(s, n, h[0]);
	for (int i = 1; i < 4; i++)
		x = mix(x ^ mix(h[i] + (uint64_t)i));
	return x;
}
