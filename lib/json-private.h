/*
 * json-private.h - what the JSON writers of reports and blocks share:
 * setting members with allocation checks, arrays of strings, and the text.
 */
#ifndef CU_JSON_PRIVATE_H
#define CU_JSON_PRIVATE_H

#include "diag-private.h"

#include <claudeusage/cu-report.h>
#include <claudeusage/cu-status.h>

#include <jansson.h>

/* Set obj[key] = v, reporting whether both allocations and the set worked. */
static inline int cu__json_put(json_t *obj, const char *key, json_t *v)
{
	return v && json_object_set_new(obj, key, v) == 0 ? 0 : -1;
}

/* A JSON array of n strings, or NULL when out of memory. */
static inline json_t *cu__json_strings(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* The "diagnostics" object of a report or blocks JSON, or NULL when out of memory. */
json_t *cu__diag_summary_json(const cu__diag_summary *s);

/*
 * Serialise root (taken, may be NULL for out of memory) per enum cu_json_flag
 * bits into *out, released with cu_free(). Returns CU_OK or CU_ENOMEM.
 */
static inline int cu__json_text(json_t *root, uint32_t flags, char **out)
{
	if (!root)
		return CU_ENOMEM;
	size_t jf = JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17);
	jf |= (flags & CU_JSON_COMPACT) ? JSON_COMPACT : JSON_INDENT(2);
	char *text = json_dumps(root, jf);
	json_decref(root);
	if (!text)
		return CU_ENOMEM;
	/* json_dumps allocates with malloc (we never change jansson's allocator). */
	*out = text;
	return CU_OK;
}

#endif
