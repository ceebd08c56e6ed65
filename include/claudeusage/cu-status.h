/*
 * cu-status.h - status codes, their text, and memory release.
 */
#ifndef CLAUDEUSAGE_CU_STATUS_H
#define CLAUDEUSAGE_CU_STATUS_H

#include "cu-common.h"

CU_BEGIN_DECLS

/**
 * Status codes. Every fallible function returns CU_OK (0) or one of the
 * negative codes below. The numbers are stable and never reused.
 */
enum cu_status {
	CU_OK = 0,
	CU_EINVALID = -1,  /**< an argument or value is invalid */
	CU_ENOMEM = -2,    /**< out of memory */
	CU_ENOTFOUND = -3, /**< no data directory, timezone, model, ... */
	CU_EIO = -4,       /**< a read or write failed */
	CU_EPARSE = -5,    /**< input could not be parsed */
	CU_ENETWORK = -6,  /**< a download failed */
	CU_EUSER = -7,     /**< a user callback asked to stop */
	CU_ESTATE = -8,    /**< the call is not valid in the object's state */
	CU_ITEROVER = -30  /**< iteration finished */
};

/**
 * Static, human-readable text for a status code ("unknown status" for
 * codes this version does not know). Never NULL; never freed.
 * @since 0.1
 */
CU_API const char *cu_status_str(int status);

/**
 * Detail of the last failure of a call that has no context to report on
 * (cu_ctx_new), for the calling thread. Empty string when none.
 * @since 0.1
 */
CU_API const char *cu_last_error(void);

/**
 * Release memory the library allocated for the caller (JSON text, ...).
 * Accepts NULL. Never use free() on such memory.
 * @since 0.1
 */
CU_API void cu_free(void *ptr);

CU_END_DECLS

#endif /* CLAUDEUSAGE_CU_STATUS_H */
