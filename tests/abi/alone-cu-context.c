/* cu-context.h alone */
#include <claudeusage/cu-context.h>
int cu_test_cu_context(void);
int cu_test_cu_context(void) { return 0; }
