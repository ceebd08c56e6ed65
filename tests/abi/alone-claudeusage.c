/* claudeusage.h alone */
#include <claudeusage/claudeusage.h>
int cu_test_claudeusage(void);
int cu_test_claudeusage(void) { return 0; }
