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

uint64_t cu__hash64(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = seed ^ (UINT64_C(0x9e3779b97f4a7c15) * (n + 1));
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = mix(h ^ w) + UINT64_C(0x632be59bd9b4e019);
		s += 8;
		n -= 8;
	}
	uint64_t w = 0;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)s[i] << (8 * i);
	return mix(h ^ w ^ ((uint64_t)n << 56));
}

void cu__hash128(const void *p, size_t n, uint64_t out[2])
{
	/* cu__hash64 under two seeds, in one loop: the two chains overlap. */
	const unsigned char *s = p;
	uint64_t len = UINT64_C(0x9e3779b97f4a7c15) * (n + 1);
	uint64_t a = UINT64_C(0x243f6a8885a308d3) ^ len, b = UINT64_C(0x13198a2e03707344) ^ len;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		a = mix(a ^ w) + UINT64_C(0x632be59bd9b4e019);
		b = mix(b ^ w) + UINT64_C(0x632be59bd9b4e019);
		s += 8;
		n -= 8;
	}
	uint64_t w = 0;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)s[i] << (8 * i);
	w ^= (uint64_t)n << 56;
	out[0] = mix(a ^ w);
	out[1] = mix(b ^ w);
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
