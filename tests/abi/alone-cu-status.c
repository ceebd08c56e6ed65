/* cu-status.h alone */
#include <claudeusage/cu-status.h>
int cu_test_cu_status(void);
int cu_test_cu_status(void) { return 0; }
