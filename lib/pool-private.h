/*
 * pool-private.h - a string pool: each distinct string gets a small id.
 * Used for model names, projects and sessions.
 */
#ifndef CU_POOL_PRIVATE_H
#define CU_POOL_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cu__pool {
	char **str;       /* id -> NUL-terminated copy */
	size_t count, cap;
	uint32_t *slots;  /* open addressing: id + 1, 0 = empty */
	size_t nslots;
} cu__pool;

void cu__pool_init(cu__pool *p);
void cu__pool_clear(cu__pool *p);
/* The id of s[0..n), adding it when new. Returns UINT32_MAX when out of memory. */
uint32_t cu__pool_intern(cu__pool *p, const char *s, size_t n);
/* The id of s[0..n), or UINT32_MAX when absent. */
uint32_t cu__pool_find(const cu__pool *p, const char *s, size_t n);
static inline const char *cu__pool_str(const cu__pool *p, uint32_t id)
{
	return id < p->count ? p->str[id] : NULL;
}

#endif
