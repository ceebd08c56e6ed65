/*
 * cu-common.h - export macro and C++ guards shared by every public header.
 *
 * Part of libclaudeusage. Include <claudeusage/claudeusage.h> instead of
 * this file; it is self-contained so that each header compiles alone.
 */
#ifndef CLAUDEUSAGE_CU_COMMON_H
#define CLAUDEUSAGE_CU_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32) && defined(CU_BUILDING_LIBRARY)
#  define CU_API __declspec(dllexport)
#elif defined(_WIN32) && !defined(CU_STATIC)
#  define CU_API __declspec(dllimport)
#elif defined(__GNUC__)
#  define CU_API __attribute__((visibility("default")))
#else
#  define CU_API
#endif

#ifdef __cplusplus
#  define CU_BEGIN_DECLS extern "C" {
#  define CU_END_DECLS }
#else
#  define CU_BEGIN_DECLS
#  define CU_END_DECLS
#endif

#endif /* CLAUDEUSAGE_CU_COMMON_H */
