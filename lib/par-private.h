/*
 * par-private.h - running a few pieces of one stage at once, for the stages
 * after the scan (dedup, pricing) whose work splits into independent parts.
 */
#ifndef CU_PAR_PRIVATE_H
#define CU_PAR_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

/* The most pieces cu__par_run runs at once. */
#define CU__PAR_MAX 64

/*
 * Call fn(arg, i) for every i in [0, n): piece 0 on the calling thread, the
 * others on threads of their own. A piece whose thread cannot be started
 * runs on the calling thread after piece 0. Returns when all are done; what
 * the pieces wrote is then visible to the caller.
 */
void cu__par_run(uint32_t n, void (*fn)(void *arg, uint32_t i), void *arg);

/*
 * How many pieces to cut work of `items` items into with `threads` threads
 * allowed (0: one per online CPU): 1 below min_items items a piece, else at
 * most threads and CU__PAR_MAX.
 */
uint32_t cu__par_pieces(uint32_t threads, size_t items, size_t min_items);

/* Piece i of np of n items: [*lo, *hi), the last piece taking what division leaves. */
static inline void cu__par_range(size_t n, uint32_t np, uint32_t i, size_t *lo, size_t *hi)
{
	*lo = n / np * i;
	*hi = i + 1 == np ? n : n / np * (i + 1);
}

#endif
