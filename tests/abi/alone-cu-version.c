/* cu-version.h alone */
#include <claudeusage/cu-version.h>
int cu_test_cu_version(void);
int cu_test_cu_version(void) { return 0; }
