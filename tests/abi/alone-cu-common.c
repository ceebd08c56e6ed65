/* cu-common.h alone */
#include <claudeusage/cu-common.h>
int cu_test_cu_common(void);
int cu_test_cu_common(void) { return 0; }
