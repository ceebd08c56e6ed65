/*
 * status.c - status text, version, the thread-local last error, cu_free.
 */
#include <claudeusage/cu-status.h>
#include <claudeusage/cu-version.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void cu__set_last_error(const char *fmt, ...);

static _Thread_local char last_error[256];

void cu__set_last_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof last_error, fmt, ap);
	va_end(ap);
}

const char *cu_last_error(void)
{
	return last_error;
}

const char *cu_status_str(int status)
{
	switch (status) {
	case CU_OK: return "success";
	case CU_EINVALID: return "invalid argument";
	case CU_ENOMEM: return "out of memory";
	case CU_ENOTFOUND: return "not found";
	case CU_EIO: return "input/output error";
	case CU_EPARSE: return "parse error";
	case CU_ENETWORK: return "network error";
	case CU_EUSER: return "stopped by callback";
	case CU_ESTATE: return "invalid state";
	case CU_ITEROVER: return "iteration over";
	default: return "unknown status";
	}
}

void cu_free(void *ptr)
{
	free(ptr);
}

void cu_version(int *major, int *minor, int *patch)
{
	if (major)
		*major = CU_VERSION_MAJOR;
	if (minor)
		*minor = CU_VERSION_MINOR;
	if (patch)
		*patch = CU_VERSION_PATCH;
}

const char *cu_version_string(void)
{
	return CU_VERSION_STRING;
}

int cu_abi_version(void)
{
	return CU_ABI_VERSION;
}
