/* cu-blocks.h alone */
#include <claudeusage/cu-blocks.h>
int cu_test_cu_blocks(void);
int cu_test_cu_blocks(void) { return 0; }
