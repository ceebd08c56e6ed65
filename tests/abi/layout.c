/*
 * layout.c - print the size and field offsets of every public struct as
 * JSON, for FFI bindings to check theirs against (examples/python does).
 */
#include <claudeusage/claudeusage.h>

#include <stddef.h>
#include <stdio.h>

#define FIELD(type, f) printf("%s\"%s\": [%zu, %zu]", first ? "" : ", ", #f, \
                              offsetof(type, f), sizeof(((type *)0)->f)), first = 0

int main(void)
{
	int first = 1;
	printf("{\"cu_entry\": {\"size\": %zu, \"align\": %zu, \"fields\": {", sizeof(cu_entry),
	       _Alignof(cu_entry));
	FIELD(cu_entry, size);
	FIELD(cu_entry, flags);
	FIELD(cu_entry, time_ms);
	FIELD(cu_entry, input_tokens);
	FIELD(cu_entry, output_tokens);
	FIELD(cu_entry, cache_creation_tokens);
	FIELD(cu_entry, cache_read_tokens);
	FIELD(cu_entry, cost_usd);
	FIELD(cu_entry, model);
	FIELD(cu_entry, session);
	FIELD(cu_entry, project);
	FIELD(cu_entry, source);
	FIELD(cu_entry, path);
	FIELD(cu_entry, line);
	printf("}}}\n");
	return 0;
}
