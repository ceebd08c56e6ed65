/* Every public header compiles on its own under -std=c99 -pedantic -Werror. */
#include <claudeusage/cu-common.h>
#include <claudeusage/cu-version.h>
#include <claudeusage/cu-status.h>
#include <claudeusage/cu-context.h>
#include <claudeusage/cu-pricing.h>
#include <claudeusage/cu-report.h>
#include <claudeusage/cu-blocks.h>
#include <claudeusage/cu-entry.h>
#include <claudeusage/claudeusage.h>

int main(void)
{
	return cu_abi_version() == CU_ABI_VERSION ? 0 : 1;
}
