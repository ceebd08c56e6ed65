/* cu-entry.h alone */
#include <claudeusage/cu-entry.h>
int cu_test_cu_entry(void);
int cu_test_cu_entry(void) { return 0; }
