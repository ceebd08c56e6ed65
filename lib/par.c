/*
 * par.c - a stage's independent pieces on a few threads at once.
 *
 * The threads live for one call: the stages that use this run once a load,
 * for some milliseconds, and a thread costs some tens of microseconds to
 * start. Results never depend on how many pieces ran at once: each piece
 * writes only its own part, and the caller combines the parts in order.
 */
#include "par-private.h"

#include <pthread.h>
#include <unistd.h>

typedef struct piece {
	void (*fn)(void *arg, uint32_t i);
	void *arg;
	uint32_t i;
} piece;

static void *piece_main(void *p)
{
	piece *pc = p;
	pc->fn(pc->arg, pc->i);
	return NULL;
}

void cu__par_run(uint32_t n, void (*fn)(void *arg, uint32_t i), void *arg)
{
	pthread_t tid[CU__PAR_MAX];
	piece pcs[CU__PAR_MAX];
	int started[CU__PAR_MAX] = { 0 };
	if (n > CU__PAR_MAX)
		n = CU__PAR_MAX;
	for (uint32_t i = 1; i < n; i++) {
		pcs[i] = (piece){ fn, arg, i };
		started[i] = pthread_create(&tid[i], NULL, piece_main, &pcs[i]) == 0;
	}
	if (n > 0)
		fn(arg, 0);
	for (uint32_t i = 1; i < n; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			fn(arg, i);
	}
}

uint32_t cu__par_pieces(uint32_t threads, size_t items, size_t min_items)
{
	if (threads == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cpus > 0 ? (uint32_t)cpus : 1u;
	}
	size_t n = min_items ? items / min_items : items;
	if (n > threads)
		n = threads;
	if (n > CU__PAR_MAX)
		n = CU__PAR_MAX;
	return n ? (uint32_t)n : 1u;
}
