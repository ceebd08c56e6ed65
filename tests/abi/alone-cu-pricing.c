/* cu-pricing.h alone */
#include <claudeusage/cu-pricing.h>
int cu_test_cu_pricing(void);
int cu_test_cu_pricing(void) { return 0; }
