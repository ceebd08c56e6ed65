/* cu-report.h alone */
#include <claudeusage/cu-report.h>
int cu_test_cu_report(void);
int cu_test_cu_report(void) { return 0; }
